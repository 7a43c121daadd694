import { JSDOM } from 'jsdom';

/**
 * Mermaid's own parser, for checking that renderer output is valid Mermaid. Mermaid needs a DOM
 * window (for DOMPurify) from the moment it is first imported, so a jsdom window is installed as
 * the global one before that import; see /work/shared/recipes/mermaid-in-node.md.
 */
type Mermaid = typeof import('mermaid')['default'];

let loading: Promise<Mermaid> | undefined;

function loadMermaid(): Promise<Mermaid> {
    loading ??= (async () => {
        const { window } = new JSDOM('<!doctype html><html><body></body></html>');
        Object.assign(globalThis, { window, document: window.document });
        const { default: mermaid } = await import('mermaid');
        mermaid.initialize({ startOnLoad: false });
        return mermaid;
    })();
    return loading;
}

/** The diagram type Mermaid parsed the text as; rejects with Mermaid's parse error. */
export async function parseMermaid(text: string): Promise<string> {
    const mermaid = await loadMermaid();
    const result = await mermaid.parse(text);
    if (!result) {
        throw new Error('Mermaid did not recognise the diagram');
    }
    return result.diagramType;
}
