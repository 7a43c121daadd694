/**
 * What the preview needs from Mermaid, as a function type: the preview logic is tested in jsdom
 * (which cannot lay out a diagram) with a stand-in, and the bundle passes the real one.
 */
import type { ThemeKind } from './theme.js';

/** Renders Mermaid text to an SVG string in the given theme; rejects with Mermaid's error. */
export type DiagramRenderer = (mermaid: string, theme: ThemeKind) => Promise<string>;

/**
 * The preview's own limits, far above Mermaid's defaults (50,000 characters, 500 edges) so a
 * 300-node flowchart renders; past them laying the diagram out would take too long. Mermaid
 * enforces `maxEdges`; the preview checks the text size itself, since past `maxTextSize`
 * Mermaid draws an error box instead of failing.
 */
export const previewLimits = { maxTextSize: 500_000, maxEdges: 5_000 } as const;

export class DiagramTooLargeError extends Error {
    constructor(length: number) {
        super(`The diagram has ${length.toLocaleString('en')} characters of Mermaid; the preview draws up to ${previewLimits.maxTextSize.toLocaleString('en')}.`);
    }
}

/** Whether a render failed because the diagram is too large (our check, or Mermaid's edge limit). */
export function isSizeError(error: unknown): boolean {
    return error instanceof DiagramTooLargeError || /Edge limit exceeded|Maximum text size/i.test(String(error));
}
