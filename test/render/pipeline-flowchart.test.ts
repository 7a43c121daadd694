import { describe, expect, test } from 'vitest';
import defaultCrewDot from '../../language-server/src/crew/crew.dot';
import { parsePipeline } from '../../language-server/src/crew/engine/index.js';
import { renderPipelineFlowchart, unparsedPipelineFlowchart } from '../../language-server/src/render/pipeline-flowchart.js';
import { parseMermaid } from './mermaid-parser.js';

/** Every shape of Appendix B, an `end` exit (a Mermaid keyword), labels and conditions that need escaping. */
const everyShape = `digraph shapes {
    rankdir=LR
    start  [shape=Mdiamond]
    ask    [shape=hexagon, label="Approve | reject?"]
    route  [shape=diamond, label="Route: \\"quoted\\" & <b>"]
    build  [shape=box, prompt="Build it"]
    lint   [shape=parallelogram, tool_command="npm run lint"]
    fan    [shape=component]
    join   [shape=tripleoctagon]
    boss   [shape=house]
    plan   [type="crew.plan", role="Planner", label="Propose morphs"]
    end    [shape=Msquare]
    start -> ask
    ask -> route [label="[A] Approve"]
    ask -> end [label="[R] Reject"]
    route -> build [condition="outcome=success && context.x=1"]
    route -> lint [condition="outcome=fail", label="lint first"]
    build -> fan -> join -> boss -> plan -> end
    lint -> build [loop_restart=true]
}
`;

function render(text: string, run?: Parameters<typeof renderPipelineFlowchart>[2]) {
    const { graph, sourceMap } = parsePipeline(text);
    return renderPipelineFlowchart(graph!, sourceMap, run);
}

describe('a pipeline as a Mermaid flowchart', () => {
    test('every shape, an `end` node and escaped labels parse as Mermaid', async () => {
        const diagram = render(everyShape);
        expect(await parseMermaid(diagram.mermaid)).toBe('flowchart-v2');
        const lines = diagram.mermaid.split('\n');
        expect(lines[0]).toBe('flowchart LR');
        // One Mermaid node per pipeline node, in the form of its handler.
        expect(lines).toEqual(expect.arrayContaining([
            '  start(("start"))', '  ask{{"Approve #124; reject?"}}', '  build["build"]', '  lint[/"lint"/]', '  fan[["fan"]]',
            '  join[\\"join"/]', '  boss[/"boss"\\]', '  plan["Propose morphs<br>Planner"]', '  n_end((("end")))'
        ]));
        expect(lines.find(l => l.startsWith('  route{'))).toBe('  route{"Route: #quot;quoted#quot; #amp; #lt;b#gt;"}');
        // Edge labels: the label, the condition, or both; a loop_restart edge is dotted.
        expect(lines).toEqual(expect.arrayContaining([
            '  ask -->|"[A] Approve"| route', '  ask -->|"[R] Reject"| n_end', '  route -->|"[outcome=success #amp;#amp; context.x=1]"| build',
            '  route -->|"lint first [outcome=fail]"| lint', '  lint -.-> build', '  plan --> n_end'
        ]));
    });

    test('each diagram node maps to its node id in the text', () => {
        const diagram = render(everyShape);
        const lines = everyShape.split('\n');
        expect(diagram.nodeRanges.n_end).toEqual({ start: { line: 11, character: 4 }, end: { line: 11, character: 7 } });
        expect(lines[diagram.nodeRanges.route.start.line].slice(diagram.nodeRanges.route.start.character, diagram.nodeRanges.route.end.character)).toBe('route');
        expect(Object.keys(diagram.nodeRanges)).toHaveLength(10);
    });

    test('a run marks its completed, failed and current nodes', async () => {
        const diagram = render(everyShape, { current: 'build', completed: ['start', 'ask', 'route', 'build'], failed: ['lint', 'end'] });
        expect(await parseMermaid(diagram.mermaid)).toBe('flowchart-v2');
        expect(diagram.mermaid).toMatch(/classDef completed fill:#dafbe1/);
        expect(diagram.mermaid).toMatch(/classDef failed fill:#ffebe9/);
        expect(diagram.mermaid).toMatch(/classDef current fill:#fff8c5/);
        // The running node is `current` even though it ran before; ids are Mermaid's (end → n_end).
        expect(diagram.mermaid).toContain('  class start,ask,route completed\n');
        expect(diagram.mermaid).toContain('  class lint,n_end failed\n');
        expect(diagram.mermaid).toContain('  class build current\n');
        expect(render(everyShape).mermaid).not.toContain('classDef');
    });

    test('the shipped crew, an empty graph and an unparsable text all draw', async () => {
        const crew = render(defaultCrewDot);
        expect(await parseMermaid(crew.mermaid)).toBe('flowchart-v2');
        const { graph } = parsePipeline(defaultCrewDot);
        for (const id of graph!.nodes.keys()) {
            expect(crew.nodeRanges).toHaveProperty(id);
        }
        expect(crew.mermaid).toContain('review{{"Review the mutation PR"}}');
        expect(await parseMermaid(render('digraph empty {}').mermaid)).toBe('flowchart-v2');
        expect(await parseMermaid(unparsedPipelineFlowchart().mermaid)).toBe('flowchart-v2');
    });
});
