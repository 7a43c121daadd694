import mermaid, { type MermaidConfig } from 'mermaid';
import { previewLimits, type DiagramRenderer } from './diagram-renderer.js';
import { mermaidTheme, type ThemeKind } from './theme.js';

const baseConfig: MermaidConfig = {
    startOnLoad: false,
    securityLevel: 'strict',
    // Our own banner shows errors; Mermaid's error drawing would be left in the page.
    suppressErrorRendering: true,
    ...previewLimits,
    // Real pixel sizes instead of width="100%": pan and zoom scale the diagram themselves.
    flowchart: { useMaxWidth: false },
    mindmap: { useMaxWidth: false }
};

let queue: Promise<unknown> = Promise.resolve();
let renders = 0;
/** The theme Mermaid was last initialised with: initialising again costs time and changes nothing. */
let initialisedTheme: ThemeKind | undefined;

/**
 * Mermaid's configuration is global and its render is asynchronous, so renders in different
 * themes (the display and a light export) run one at a time, each after an initialize for its
 * theme when the one before was drawn in another.
 */
export const renderMermaid: DiagramRenderer = (text, theme) => {
    const run = queue.then(async () => {
        if (theme !== initialisedTheme) {
            initialisedTheme = undefined;
            mermaid.initialize({ ...baseConfig, ...mermaidTheme(theme) });
            initialisedTheme = theme;
        }
        const { svg } = await mermaid.render(`fspec-diagram-${++renders}`, text);
        return svg;
    });
    queue = run.catch(() => undefined);
    return run;
};
