/**
 * Offline crew benchmark: from "grow" to the mutation PR (refine, plan, compile, toolsmith,
 * surface, safety, simulate: everything before the review) on each example with a new desire, in a
 * real git repository. The baseline, in the same process, is what a save already costs: parsing,
 * linking and validating the same spec once. Target: ≤ 2 s from save to mutation PR.
 *
 *   npx tsx bench/crew-bench.ts
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { runGrowth } from '../language-server/src/crew/growth-run.js';
import { createFspecServices } from '../language-server/src/fspec-module.js';

const runs = 7;
const services = createFspecServices(NodeFileSystem).Fspec;

const examples = [
    {
        folder: 'examples/farmer-contract-allocation', spec: 'farm-ops.fspec',
        desire: '    desire tuesday_first {\n      goal "Reserve Tuesday contracts first"\n      constraint "PHI compliant"\n      trusted_source weather_service\n      output packlists, invoices, shortfall_alerts\n    }\n'
    },
    {
        folder: 'examples/immigration-policy-impact', spec: 'policy-impact.fspec',
        desire: '    desire rfe_deadlines {\n      goal "Alert paralegals to RFE deadlines"\n      constraint client_data_stays\n      trusted_source state_bulletin\n      output rfe_alerts\n    }\n'
    }
];

function median(values: number[]): number {
    return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** The example in a fresh repository with the desire written into its spec. */
function repository(example: typeof examples[number]): { file: string, text: string } {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-crew-bench-'));
    fs.cpSync(example.folder, folder, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: folder, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
    git('init', '--quiet');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'Start');
    const file = path.join(folder, example.spec);
    const text = fs.readFileSync(file, 'utf8').replace('  desires {\n', `  desires {\n${example.desire}`);
    fs.writeFileSync(file, text);
    return { file, text };
}

/** Milliseconds from starting the run to the review callback; the run is then rejected. */
async function toMutationPr(file: string, text: string): Promise<number> {
    const started = performance.now();
    let reached = 0;
    const result = await runGrowth(services, {
        specPath: file, text,
        review: async () => { reached = performance.now() - started; return { decision: 'reject', reason: 'benchmark' }; },
        deploy: async () => { throw new Error('the benchmark never deploys'); }
    });
    if (result.status !== 'rejected') {
        throw new Error(`${file}: the run ended ${result.status}: ${result.message}`);
    }
    return reached;
}

async function validateOnce(file: string, text: string): Promise<number> {
    const started = performance.now();
    const spec = await services.model.DetachedSpecs.load(text, URI.file(file));
    await services.model.DetachedSpecs.validate(spec);
    return performance.now() - started;
}

console.log(`Offline crew, save → mutation PR (median of ${runs} after 2 warm-ups)`);
console.log('example                         crew → PR   validate once   ratio   target 2000 ms');
for (const example of examples) {
    const { file, text } = repository(example);
    const crew: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
        const c = await toMutationPr(file, text);
        const b = await validateOnce(file, text);
        if (i >= 2) {
            crew.push(c);
            baseline.push(b);
        }
    }
    const [c, b] = [median(crew), median(baseline)];
    console.log(`${example.spec.padEnd(30)} ${c.toFixed(0).padStart(7)} ms ${b.toFixed(1).padStart(12)} ms ${(c / b).toFixed(1).padStart(7)}×   ${c <= 2000 ? 'met' : 'NOT met'}`);
}
