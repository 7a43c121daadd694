import { createHash } from 'node:crypto';

/**
 * Marked regions: a step's body sits between `// fspec:begin body <pipeline>.<step>` and
 * `// fspec:end body`. The rest of the file is generated; the manifest hashes it without the
 * regions' content, so a body can change (by hand, or grown again) without the file drifting.
 */

export const endMarker = '// fspec:end body';

export function beginMarker(qualified: string): string {
    return `// fspec:begin body ${qualified}`;
}

const region = /^([ \t]*)\/\/ fspec:begin body (\S+)[ \t]*\n([\s\S]*?)^[ \t]*\/\/ fspec:end body[ \t]*$/gm;

/** The content of every marked region, by the step it names. */
export function bodiesOf(text: string): Map<string, string> {
    const bodies = new Map<string, string>();
    for (const match of text.matchAll(region)) {
        bodies.set(match[2], match[3]);
    }
    return bodies;
}

/** The text with each region's content replaced (regions not in the map keep theirs). */
export function withBodies(text: string, bodies: ReadonlyMap<string, string>): string {
    return text.replace(region, (whole, lead: string, name: string) => {
        const body = bodies.get(name);
        return body === undefined ? whole : `${lead}${beginMarker(name)}\n${body}${lead}${endMarker}`;
    });
}

/** The text with every region emptied: what the manifest hashes. */
export function withoutBodies(text: string): string {
    return text.replace(region, (_, lead: string, name: string) => `${lead}${beginMarker(name)}\n${lead}${endMarker}`);
}

export function sha256(text: string): string {
    return createHash('sha256').update(text, 'utf8').digest('hex');
}
