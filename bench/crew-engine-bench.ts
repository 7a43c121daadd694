/**
 * Crew engine benchmark: per-node engine overhead on a 50-node pipeline of no-op handlers, and the
 * time of one checkpoint write. Each figure is a median, next to a baseline measured in the same
 * process (plain writeFileSync of the same bytes) and the ratio. Targets: ≤ 5 ms per node, ≤ 10 ms
 * per checkpoint write.
 *
 *   npx tsx bench/crew-engine-bench.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    HandlerRegistry,
    loadCheckpoint,
    parseDot,
    runPipeline,
    saveCheckpoint,
    type NodeHandler
} from '../language-server/src/crew/engine/index.js';

const NODES = 50;
const RUNS = 30;
const WRITES = 500;

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function ms(value: number): string {
    return `${value.toFixed(3)} ms`;
}

const steps = Array.from({ length: NODES - 2 }, (_, i) => `n${i}`);
const dot = `digraph Bench {
    graph [goal="measure the engine"]
    start [shape=Mdiamond]
    exit [shape=Msquare]
    ${steps.map(id => `${id} [type=noop, prompt="step ${id}"]`).join('\n    ')}
    start -> ${steps.join(' -> ')} -> exit
}`;
const graph = parseDot(dot);
const noop: NodeHandler = async () => ({ status: 'success', context_updates: { last: 'x' } });
const registry = new HandlerRegistry(noop);
for (const type of ['start', 'exit', 'noop']) {
    registry.register(type, noop);
}

const root = mkdtempSync(join(tmpdir(), 'crew-engine-bench-'));
try {
    const perNode: number[] = [];
    const baselinePerNode: number[] = [];
    for (let run = 0; run < RUNS + 3; run++) {
        const logsRoot = join(root, `run-${run}`);
        const started = performance.now();
        const result = await runPipeline(graph, { logsRoot, registry });
        const elapsed = performance.now() - started;
        if (result.status !== 'success' || result.completed_nodes.length !== NODES) {
            throw new Error(`benchmark run failed: ${result.status} ${result.failure_reason ?? ''}`);
        }
        // Baseline: the two files per node (status.json and checkpoint.json) written with plain writeFileSync.
        const checkpointText = JSON.stringify(loadCheckpoint(logsRoot));
        const statusText = JSON.stringify({ outcome: 'success', context_updates: { last: 'x' } }, null, 2);
        const baselineStarted = performance.now();
        for (let i = 0; i < NODES; i++) {
            writeFileSync(join(logsRoot, `baseline-status-${i}.json`), statusText);
            writeFileSync(join(logsRoot, 'baseline-checkpoint.json'), checkpointText);
        }
        const baselineElapsed = performance.now() - baselineStarted;
        if (run >= 3) {
            perNode.push(elapsed / NODES);
            baselinePerNode.push(baselineElapsed / NODES);
        }
    }

    const checkpoint = loadCheckpoint(join(root, 'run-3'));
    const checkpointText = JSON.stringify(checkpoint);
    const writes: number[] = [];
    const baselineWrites: number[] = [];
    const logsRoot = join(root, 'run-3');
    for (let i = 0; i < WRITES; i++) {
        let started = performance.now();
        saveCheckpoint(logsRoot, checkpoint);
        writes.push(performance.now() - started);
        started = performance.now();
        writeFileSync(join(logsRoot, 'baseline-checkpoint.json'), checkpointText);
        baselineWrites.push(performance.now() - started);
    }

    const node = median(perNode);
    const nodeBaseline = median(baselinePerNode);
    const write = median(writes);
    const writeBaseline = median(baselineWrites);
    console.log(`crew engine bench (${NODES}-node pipeline of no-op handlers, median of ${RUNS} runs; checkpoint ${checkpointText.length} bytes, median of ${WRITES} writes)`);
    console.log(`  per-node overhead   ${ms(node)}   baseline ${ms(nodeBaseline)} (2× writeFileSync per node)   ratio ${(node / nodeBaseline).toFixed(2)}   target ≤ 5 ms`);
    console.log(`  checkpoint write    ${ms(write)}   baseline ${ms(writeBaseline)} (writeFileSync, same JSON)   ratio ${(write / writeBaseline).toFixed(2)}   target ≤ 10 ms`);
} finally {
    rmSync(root, { recursive: true, force: true });
}
