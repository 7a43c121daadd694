import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
    carriedContext,
    Context,
    createDefaultRegistry,
    parseDot,
    resolveFidelity,
    resolveThreadKey,
    resumePipeline,
    type CodergenBackend,
    type PipelineNode,
    type StageCall
} from '../../../language-server/src/crew/engine/index.js';
import { createPiAiBackend } from '../../../language-server/src/crew/pi-ai-backend.js';
import { FAKE_KEY, resolvedLlm } from '../llm/llm-test-helpers.js';
import { startScriptedOpenAiServer, streamedText, type ScriptedOpenAiServer } from '../llm/scripted-openai-server.js';
import { runDot, useTempDirs } from './helpers.js';

/** A backend that answers "ok from <node>" and records the session each stage got. */
function recordingBackend(): CodergenBackend & { stages: { node: string; stage: StageCall }[] } {
    const stages: { node: string; stage: StageCall }[] = [];
    return {
        stages,
        async run(node: PipelineNode, _prompt: string, _context: Context, _signal: AbortSignal, stage: StageCall) {
            stages.push({ node: node.id, stage });
            return `ok from ${node.id}`;
        }
    };
}

const arrivalAt = (dot: string, to: string, from?: string) => {
    const graph = parseDot(dot);
    const edge = graph.edges.find(e => e.to === to && (from === undefined || e.from === from));
    return { graph, node: graph.nodes.get(to)!, arrival: { edge, previous: edge?.from } };
};

describe('context fidelity (§5.4)', () => {
    const dirs = useTempDirs();

    it('[S14] fidelity comes from the incoming edge, then the node, then the graph default_fidelity, then compact', () => {
        const dot = (edge: string, node: string, graph: string) => `digraph F {
            ${graph ? `graph [default_fidelity="${graph}"]` : ''}
            start [shape=Mdiamond]
            work [prompt="w"${node ? `, fidelity="${node}"` : ''}]
            exit [shape=Msquare]
            start -> work ${edge ? `[fidelity="${edge}"]` : ''}
            work -> exit
        }`;
        const resolved = (edge: string, node: string, graph: string) => {
            const { graph: g, node: n, arrival } = arrivalAt(dot(edge, node, graph), 'work');
            return resolveFidelity(n, arrival, g);
        };
        expect(resolved('truncate', 'full', 'summary:low')).toBe('truncate');
        expect(resolved('', 'full', 'summary:low')).toBe('full');
        expect(resolved('', '', 'summary:low')).toBe('summary:low');
        expect(resolved('', '', '')).toBe('compact');
        // A value that is no mode (fidelity_valid warns) counts as not written.
        expect(resolved('fulll', '', 'summary:medium')).toBe('summary:medium');
    });

    it('[S14] under full, the thread is the node thread_id, the edge thread_id, the graph default, the subgraph class, then the previous node', () => {
        const dot = (nodeThread: string, edgeThread: string, graphThread: string, inSubgraph: boolean) => `digraph T {
            ${graphThread ? `graph [default_thread_id="${graphThread}"]` : ''}
            start [shape=Mdiamond]
            plan [prompt="p"]
            ${inSubgraph ? 'subgraph cluster_a { label="Loop A"; work [prompt="w"' : 'work [prompt="w"'}${nodeThread ? `, thread_id="${nodeThread}"` : ''}] ${inSubgraph ? '}' : ''}
            exit [shape=Msquare]
            start -> plan
            plan -> work ${edgeThread ? `[thread_id="${edgeThread}"]` : ''}
            work -> exit
        }`;
        const thread = (...args: Parameters<typeof dot>) => {
            const { graph, node, arrival } = arrivalAt(dot(...args), 'work');
            return resolveThreadKey(node, arrival, graph);
        };
        expect(thread('own', 'edge', 'graph', true)).toBe('own');
        expect(thread('', 'edge', 'graph', true)).toBe('edge');
        expect(thread('', '', 'graph', true)).toBe('graph');
        expect(thread('', '', '', true)).toBe('loop-a');
        expect(thread('', '', '', false)).toBe('plan');
        // §2.10: a subgraph's node defaults give its nodes the thread_id.
        const scoped = parseDot(`digraph S {
            start [shape=Mdiamond]
            subgraph cluster_loop { label="Loop A"; node [thread_id="loop-a"]; Plan [prompt="p"] }
            exit [shape=Msquare]
            start -> Plan -> exit
        }`);
        expect(resolveThreadKey(scoped.nodes.get('Plan')!, { previous: 'start' }, scoped)).toBe('loop-a');
    });

    it('[S14] each LLM stage gets its resolved fidelity, its thread under full, and the run so far as the mode tells it', async () => {
        const backend = recordingBackend();
        const result = await runDot(`digraph Carry {
            graph [goal="Grow tomatoes", default_fidelity="full"]
            start [shape=Mdiamond]
            plan [prompt="Plan"]
            build [prompt="Build", thread_id="plan"]
            brief [prompt="Brief", fidelity="truncate"]
            review [prompt="Review", fidelity="compact"]
            summary [prompt="Sum up", fidelity="summary:low"]
            exit [shape=Msquare]
            start -> plan -> build -> brief -> review -> summary -> exit
        }`, dirs(), { runId: 'run-7', defaults: { backend }, context: new Context({ bed: 'north' }) });
        expect(result.status).toBe('success');
        const byNode = Object.fromEntries(backend.stages.map(({ node, stage }) => [node, stage]));
        expect(byNode.plan).toMatchObject({ fidelity: 'full', thread_key: 'start', carried: '' });
        expect(byNode.build).toMatchObject({ fidelity: 'full', thread_key: 'plan', carried: '' });
        expect(byNode.brief).toMatchObject({ fidelity: 'truncate', carried: 'Goal: Grow tomatoes\nRun: run-7' });
        expect(byNode.brief.thread_key).toBeUndefined();
        expect(byNode.review.carried).toBe([
            'Goal: Grow tomatoes',
            'Run: run-7',
            'Completed stages:',
            '- start: success',
            '- plan: success (Stage completed: plan)',
            '- build: success (Stage completed: build)',
            '- brief: success (Stage completed: brief)',
            'Context:',
            '- bed = north',
            '- outcome = success',
            '- last_stage = brief',
            '- last_response = ok from brief'
        ].join('\n'));
        expect(byNode.summary.carried).toContain('So far 5 stages ran (0 failed); the last 3:\n- build: success (Stage completed: build)\n- brief');
        expect(byNode.summary.carried).not.toContain('bed = north');
        // The checkpoint keeps the mode of the node that ran last: the exit, under the graph's default.
        expect(result.context['internal.fidelity']).toBe('full');
    });

    it('[S14] the summary modes tell more the higher they are, within their budgets', () => {
        const completed = Array.from({ length: 60 }, (_, i) => `stage_${i}`);
        const history = {
            goal: 'g', run_id: 'r', completed_nodes: completed,
            node_outcomes: Object.fromEntries(completed.map(id => [id, { status: 'success' as const, notes: 'x'.repeat(300) }])),
            context: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`key_${i}`, 'v'.repeat(500)])),
            logs: Array.from({ length: 50 }, (_, i) => `log ${i}`)
        };
        const [low, medium, high] = (['summary:low', 'summary:medium', 'summary:high'] as const).map(mode => carriedContext(mode, history));
        expect(low.length).toBeLessThan(medium.length);
        expect(medium.length).toBeLessThan(high.length);
        expect(low.length).toBeLessThanOrEqual(2_400);
        expect(medium.length).toBeLessThanOrEqual(6_000);
        expect(high.length).toBeLessThanOrEqual(12_000);
        expect(low).not.toContain('Recent log:');
        expect(medium).toContain('Recent log:\n- log 45');
    });

    it('[S15] a resume after a full node runs the first resumed node with summary:high, the next ones with full again', async () => {
        const dot = `digraph Resume {
            graph [default_fidelity="full"]
            start [shape=Mdiamond]
            a [prompt="A"]
            b [prompt="B"]
            c [prompt="C"]
            exit [shape=Msquare]
            start -> a -> b -> c -> exit
        }`;
        const logsRoot = dirs();
        const first = recordingBackend();
        const controller = new AbortController();
        const stopped = await runDot(dot, logsRoot, {
            defaults: { backend: first },
            signal: controller.signal,
            onEvent: event => event.kind === 'StageCompleted' && event.node_id === 'a' && controller.abort(new Error('stop after a'))
        });
        expect(stopped.status).toBe('cancelled');
        expect(first.stages.map(s => [s.node, s.stage.fidelity])).toEqual([['a', 'full']]);

        const second = recordingBackend();
        const resumed = await resumePipeline(parseDot(dot), { logsRoot, registry: createDefaultRegistry({ backend: second }) });
        expect(resumed.status).toBe('success');
        expect(second.stages.map(s => [s.node, s.stage.fidelity])).toEqual([['b', 'summary:high'], ['c', 'full']]);
        expect(second.stages[0].stage.carried).toContain('- a: success (Stage completed: a)');
    });
});

describe('the pi-ai backend keeps a conversation per thread (§5.4)', () => {
    const dirs = useTempDirs();
    let server: ScriptedOpenAiServer;
    beforeEach(async () => {
        server = await startScriptedOpenAiServer();
    });
    afterEach(() => server.close());

    it('[S14] full stages of one thread continue its conversation; other modes start fresh with the run so far in the system message', async () => {
        server.enqueue(streamedText(['plan: two beds']), streamedText(['built']), streamedText(['reviewed']));
        const env = { FSPEC_CREW_BASE_URL: server.baseUrl, FSPEC_CREW_MODEL: 'stage-model', FSPEC_CREW_API_KEY: FAKE_KEY };
        const result = await runDot(`digraph Threads {
            graph [goal="Grow tomatoes"]
            start [shape=Mdiamond]
            plan [prompt="Plan the beds", fidelity="full", thread_id="garden"]
            build [prompt="Build them", fidelity="full", thread_id="garden"]
            review [prompt="Review"]
            exit [shape=Msquare]
            start -> plan -> build -> review -> exit
        }`, dirs(), { defaults: { backend: createPiAiBackend(resolvedLlm({}, env), { env }) } });
        expect(result.status).toBe('success');
        const messages = server.requests.map(request => request.body.messages as { role: string; content: unknown }[]);
        const text = (content: unknown) => typeof content === 'string' ? content : JSON.stringify(content);
        expect(messages[0].filter(m => m.role !== 'system').map(m => m.role)).toEqual(['user']);
        // The second stage of the thread sees the first one's prompt and answer before its own prompt.
        const build = messages[1].filter(m => m.role !== 'system');
        expect(build.map(m => m.role)).toEqual(['user', 'assistant', 'user']);
        expect(text(build[0].content)).toContain('Plan the beds');
        expect(text(build[1].content)).toContain('plan: two beds');
        expect(text(build[2].content)).toContain('Build them');
        // review is compact: a fresh conversation, told the stages so far.
        const review = messages[2];
        expect(review.filter(m => m.role !== 'system').map(m => m.role)).toEqual(['user']);
        const system = text(review.find(m => m.role === 'system')?.content);
        expect(system).toContain('The run so far:');
        expect(system).toContain('- build: success (Stage completed: build)');
    });
});
