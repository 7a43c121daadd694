import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
    Context,
    createDefaultRegistry,
    isSuccess,
    loadCheckpoint,
    parseDot,
    runPipeline,
    validate,
    type Checkpoint,
    type CodergenBackend,
    type Diagnostic,
    type PipelineGraph,
    type PipelineRunResult
} from '../../../language-server/src/crew/engine/index.js';
import { stageFiles } from './helpers.js';

/** The §11.13 pipeline, verbatim. */
const DOT = `
digraph test_pipeline {
    graph [goal="Create a hello world Python script"]

    start       [shape=Mdiamond]
    plan        [shape=box, prompt="Plan how to create a hello world script for: $goal"]
    implement   [shape=box, prompt="Write the code based on the plan", goal_gate=true]
    review      [shape=box, prompt="Review the code for correctness"]
    done        [shape=Msquare]

    start -> plan
    plan -> implement
    implement -> review [condition="outcome=success"]
    implement -> plan   [condition="outcome=fail", label="Retry"]
    review -> done      [condition="outcome=success"]
    review -> implement [condition="outcome=fail", label="Fix"]
}
`;

/** Stands in for the real LLM callback: answers like a model would, from the prompt it receives. */
const scriptedLlm: CodergenBackend & { prompts: string[] } = {
    prompts: [],
    async run(node, prompt) {
        this.prompts.push(prompt);
        const replies: Record<string, string> = {
            plan: '1. Create hello.py\n2. print("Hello, world!")',
            implement: 'print("Hello, world!")',
            review: 'The code is correct.'
        };
        return replies[node.id];
    }
};

describe('§11.13 integration smoke test (scripted backend in place of the LLM)', () => {
    let logsRoot: string;
    let graph: PipelineGraph;
    let lint: Diagnostic[];
    let outcome: PipelineRunResult;
    let checkpoint: Checkpoint;

    beforeAll(async () => {
        logsRoot = mkdtempSync(join(tmpdir(), 'crew-engine-smoke-'));
        graph = parseDot(DOT);
        lint = validate(graph);
        outcome = await runPipeline(graph, { logsRoot, context: new Context(), registry: createDefaultRegistry({ backend: scriptedLlm }) });
        checkpoint = loadCheckpoint(logsRoot);
    });

    afterAll(() => rmSync(logsRoot, { recursive: true, force: true }));

    test('[#120] parse: the goal', () => expect(graph.goal).toBe('Create a hello world Python script'));
    test('[#121] parse: 5 nodes', () => expect(graph.nodes.size).toBe(5));
    test('[#122] parse: 6 edges', () => expect(graph.edges).toHaveLength(6));
    test('[#123] validate: no error, only the expected goal_gate_has_retry warning', () => {
        expect(lint.filter(d => d.severity === 'error')).toEqual([]);
        expect(lint.map(d => [d.rule, d.node_id])).toEqual([['goal_gate_has_retry', 'implement']]);
    });
    test('[#124] run: status success', () => expect(outcome.status).toBe('success'));
    test('[#125] run: implement completed', () => expect(outcome.completed_nodes).toContain('implement'));
    test('[#126] artifacts: plan', () => expect(stageFiles(logsRoot, 'plan', ['prompt.md', 'response.md', 'status.json'])).toBe(true));
    test('[#127] artifacts: implement', () => expect(stageFiles(logsRoot, 'implement', ['prompt.md', 'response.md', 'status.json'])).toBe(true));
    test('[#128] artifacts: review', () => expect(stageFiles(logsRoot, 'review', ['prompt.md', 'response.md', 'status.json'])).toBe(true));
    test('[#129] goal gate on implement satisfied', () => expect(isSuccess(outcome.node_outcomes.implement.status)).toBe(true));
    test('[#130] checkpoint: current_node is done', () => expect(checkpoint.current_node).toBe('done'));
    test('[#131] checkpoint: plan completed', () => expect(checkpoint.completed_nodes).toContain('plan'));
    test('[#132] checkpoint: implement completed', () => expect(checkpoint.completed_nodes).toContain('implement'));
    test('[#133] checkpoint: review completed', () => expect(checkpoint.completed_nodes).toContain('review'));
    test('the backend got the expanded prompts in order', () => {
        expect(scriptedLlm.prompts).toEqual([
            'Plan how to create a hello world script for: Create a hello world Python script',
            'Write the code based on the plan',
            'Review the code for correctness'
        ]);
    });
});
