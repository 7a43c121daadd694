import type { DiagramRenderer } from '../../webviews/src/diagram-renderer.js';
import type { ThemeKind } from '../../webviews/src/theme.js';

/**
 * A stand-in for Mermaid in jsdom (which cannot lay out diagrams): an SVG with Mermaid's element
 * ids for each node line of the text (`  id["label"]`, `subgraph id ["label"]`), and the labels
 * as text. It records each call, and fails for texts containing `FAIL`.
 */
export class FakeRenderer {
    readonly calls: Array<{ mermaid: string, theme: ThemeKind }> = [];
    private count = 0;
    /** When set, renders wait for it (Mermaid busy with a large diagram). */
    hold?: Promise<void>;

    readonly render: DiagramRenderer = async (mermaid, theme) => {
        this.calls.push({ mermaid, theme });
        await this.hold;
        if (mermaid.includes('FAIL')) {
            throw new Error('Parse error on line 2');
        }
        const svgId = `fake-${++this.count}`;
        const mindmap = mermaid.startsWith('mindmap');
        const parts: string[] = [];
        let index = 0;
        for (const line of mermaid.split('\n').slice(1)) {
            const cluster = /^\s*subgraph (\w+) \["([^"]*)"\]/.exec(line);
            const node = /^\s+(\w+)[[({/]+"([^"]*)"/.exec(line);
            if (cluster) {
                parts.push(`<g class="cluster" id="${svgId}-${cluster[1]}"><rect></rect><text>${cluster[2]}</text></g>`);
            } else if (node) {
                const id = mindmap ? `${svgId}-node_${index}` : `${svgId}-flowchart-${node[1]}-${index}`;
                parts.push(`<g class="node" id="${id}"><rect></rect><g class="label"><text>${node[2]}</text></g></g>`);
                index++;
            }
        }
        return `<svg id="${svgId}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" data-theme="${theme}"><style>#${svgId}{fill:#333}</style>${parts.join('')}</svg>`;
    };
}
