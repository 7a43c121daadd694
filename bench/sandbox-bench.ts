/**
 * Local sandbox benchmark: start-to-result time of one javascript run, next to a baseline measured
 * in the same process (a plain child_process.spawn of the same Node running the same one-line
 * script, output collected), and the overhead between them. The two alternate run by run, so that
 * both see the same load. Target: ≤ 150 ms of overhead per run.
 *
 *   npx tsx bench/sandbox-bench.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSandbox } from '../language-server/src/sandbox/index.js';

const RUNS = 30;
const WARMUPS = 3;
const SCRIPT = 'console.log("ok")';

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function ms(value: number): string {
    return `${value.toFixed(1)} ms`;
}

function spawnBaseline(script: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.on('data', chunk => { stdout += chunk; });
        child.once('error', reject);
        child.once('close', () => resolve(stdout));
    });
}

const sandbox = new LocalSandbox({ nodePath: process.execPath });
const folder = mkdtempSync(join(tmpdir(), 'sandbox-bench-'));
const script = join(folder, 'main.js');
writeFileSync(script, SCRIPT);
try {
    // The first run also probes, once per process, whether unshare and prlimit work here.
    let started = performance.now();
    const first = await sandbox.run({ language: 'javascript', code: SCRIPT });
    const firstRun = performance.now() - started;

    const baseline: number[] = [];
    const sandboxed: number[] = [];
    for (let run = 0; run < RUNS + WARMUPS; run++) {
        started = performance.now();
        const baselineOutput = await spawnBaseline(script);
        const baselineElapsed = performance.now() - started;
        started = performance.now();
        const result = await sandbox.run({ language: 'javascript', code: SCRIPT });
        const sandboxElapsed = performance.now() - started;
        if (baselineOutput !== 'ok\n' || result.stdout !== 'ok\n' || !result.ok) {
            throw new Error(`benchmark run failed: ${JSON.stringify({ baselineOutput, result })}`);
        }
        if (run >= WARMUPS) {
            baseline.push(baselineElapsed);
            sandboxed.push(sandboxElapsed);
        }
    }

    const base = median(baseline);
    const local = median(sandboxed);
    console.log(`local sandbox bench (javascript one-liner on Node ${process.version}, median of ${RUNS} runs; network ${first.network}; memory ${first.memory})`);
    console.log(`  start to result   ${ms(local)}   baseline ${ms(base)} (plain spawn, same node and script)   ratio ${(local / base).toFixed(2)}`);
    console.log(`  overhead per run  ${ms(local - base)}   target ≤ 150 ms`);
    console.log(`  first run         ${ms(firstRun)} (includes the one-time probe of unshare and prlimit)`);
} finally {
    rmSync(folder, { recursive: true, force: true });
}
