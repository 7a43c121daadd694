/**
 * Text that is safe to put into Mermaid source: labels that render as the user wrote them, and
 * node ids that Mermaid accepts. Every renderer goes through here; nothing else writes user text.
 */

/**
 * Characters written as Mermaid entity codes (`#name;` / `#123;`, which Mermaid turns into HTML
 * entities after parsing). Each is here for a reason:
 * - `"` ends the label; `#` and `&` would otherwise start an entity the user did not write;
 * - `<` `>` would be HTML; `` ` `` starts a markdown label; `|` delimits edge labels;
 * - `%` could form a `%%{init}%%` directive, which Mermaid strips from anywhere in the text;
 * - `:` (unless a space follows) because Mermaid drops the last `;` of a line matching
 *   `style.*:\S*#.*;` (meant for style lines), which would break the entity codes after it;
 * - `\` because `\n` (backslash, n) is a line break in plain labels;
 * - `*` (and `_` at word edges, below) because mindmap labels are markdown.
 */
const entityCodes: Readonly<Record<string, string>> = {
    '&': '#amp;', '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '`': '#96;', '|': '#124;',
    '%': '#37;', '\\': '#92;', '*': '#42;'
};
const needsEntity = /[&#"<>`|%\\*]/g;
/** A colon followed by a space cannot start that match, so `crop: string` stays readable. */
const colonBeforeText = /:(?![^\S\n])/g;

/** `_` between letters or digits (snake_case) is never markdown emphasis; elsewhere it may be. */
const edgeUnderscore = /(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;

/**
 * Mermaid writes entities as `ﬂ°…¶ß` placeholders and turns them back into `&…;` twice (in the
 * label, then in the whole SVG), so a user's own `ﬂ°` or `¶ß` would become `&` or `;` even when
 * written as entity codes. An invisible word joiner between the two characters keeps them.
 */
const placeholderPairs = /(\uFB02)(\u00B0)|(\u00B6)(\u00DF)/g;

const lineBreaks = /\r\n?|[\n\u2028\u2029]/g;
// Control characters cannot be shown; tabs become spaces, the rest are dropped.
const controls = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * The inside of a quoted Mermaid label (without the quotes) that renders as `text`. Line breaks
 * become `<br>`. A missing text (a half-parsed element has no name yet) is an empty label.
 */
export function escapeLabel(text: string | undefined): string {
    return (text ?? '')
        .replace(lineBreaks, '\n')
        .replace(/\t/g, ' ')
        .replace(controls, '')
        .replace(placeholderPairs, (_pair, a, b, c, d) => `${a ?? c}\u2060${b ?? d}`)
        .replace(needsEntity, c => entityCodes[c])
        .replace(colonBeforeText, '#58;')
        .replace(edgeUnderscore, '#95;')
        .replace(/\n/g, '<br>');
}

/** A quoted label, `"…"`. An empty text still needs a character: Mermaid rejects `[""]` in mindmaps. */
export function quoted(text: string | undefined): string {
    const inside = escapeLabel(text);
    return `"${inside === '' ? ' ' : inside}"`;
}

/** Node shapes the renderers use, each with its quoted label. Flowchart and mindmap share the bracket syntax. */
export type Shape = 'box' | 'rounded' | 'stadium' | 'circle' | 'hexagon' | 'database' | 'input';

const shapeBrackets: Readonly<Record<Shape, [string, string]>> = {
    box: ['[', ']'], rounded: ['(', ')'], stadium: ['([', '])'], circle: ['((', '))'],
    hexagon: ['{{', '}}'], database: ['[(', ')]'], input: ['[/', '/]']
};

/** `id["label"]` in the given shape. */
export function nodeText(id: string, shape: Shape, label: string): string {
    const [open, close] = shapeBrackets[shape];
    return `${id}${open}${quoted(label)}${close}`;
}

/**
 * Words Mermaid reads as syntax where a node id is expected (flowchart, graph and mindmap grammars).
 * Compared case-insensitively, which is stricter than Mermaid is.
 */
export const mermaidKeywords: ReadonlySet<string> = new Set([
    'end', 'graph', 'flowchart', 'flowchart-elk', 'subgraph', 'style', 'linkstyle', 'classdef', 'class', 'click',
    'call', 'href', 'callback', 'direction', 'default', 'interpolate', 'accTitle', 'accDescr', 'mindmap', 'root',
    'tb', 'td', 'bt', 'rl', 'lr', '_self', '_blank', '_parent', '_top'
].map(k => k.toLowerCase()));

/** Longest readable part of an id; long keys (an envelope's whole sentence) are cut and made unique by a hash. */
const maxReadableLength = 64;

/** Readable id text for a key: letters, digits and `_`, starting with a letter, never a keyword. */
function readableId(key: string): string {
    let id = key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, maxReadableLength).replace(/_+$/, '');
    if (id === '' || !/^[A-Za-z]/.test(id) || mermaidKeywords.has(id.toLowerCase())) {
        id = `n_${id}`.replace(/_+$/, '');
    }
    return id;
}

/** FNV-1a, base 36: a short, stable fingerprint of a key. */
export function shortHash(key: string): string {
    let hash = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
        hash ^= key.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0).toString(36);
}

/**
 * Mermaid node ids for a set of keys (graph ids such as `step:contract_allocation.allocate`, or
 * a renderer's own keys). An id depends only on its key and the keys whose readable form is the
 * same, so adding unrelated elements never changes it. Of keys that collapse to the same text
 * (`step:a.b_c`, `step:a_b.c`), the first in sort order keeps the plain form and the others get a hash.
 */
export class DiagramIds {
    private readonly ids = new Map<string, string>();

    constructor(keys: Iterable<string>) {
        const groups = new Map<string, string[]>();
        for (const key of new Set(keys)) {
            const readable = readableId(key);
            const group = groups.get(readable);
            if (group) {
                group.push(key);
            } else {
                groups.set(readable, [key]);
            }
        }
        const used = new Set(groups.keys());
        const collisions: Array<[string, string[]]> = [];
        for (const [readable, group] of groups) {
            if (group.length === 1) {
                this.ids.set(group[0], readable);
            } else {
                collisions.push([readable, group.sort(compare)]);
            }
        }
        // In a fixed order, so a hash that happens to be taken is resolved the same way every time.
        for (const [readable, group] of collisions.sort(([a], [b]) => compare(a, b))) {
            this.ids.set(group[0], readable);
            for (const key of group.slice(1)) {
                let id = `${readable}_${shortHash(key)}`;
                for (let n = 2; used.has(id); n++) {
                    id = `${readable}_${shortHash(key)}_${n}`;
                }
                used.add(id);
                this.ids.set(key, id);
            }
        }
    }

    /** The id of a key given to the constructor; asking for another is a renderer bug. */
    of(key: string): string {
        const id = this.ids.get(key);
        if (id === undefined) {
            throw new Error(`No diagram id for '${key}': the renderer did not declare it.`);
        }
        return id;
    }
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
