/**
 * Compiler benchmark: each example from its spec text to a built app — validate, compile the spec
 * graph into files (the Toolsmith growing every body), write them into an empty build folder — and
 * a rebuild over an unchanged folder. The baseline, in the same process, is one validation of the
 * same spec (what every save already costs). Target: compile an example in ≤ 1 s.
 *
 *   npx tsx bench/compile-bench.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { recordsFolderFrom } from '../language-server/src/compiler/build-app.js';
import { compileApp } from '../language-server/src/compiler/compile.js';
import { writeBuild } from '../language-server/src/compiler/write-build.js';
import { createFspecServices } from '../language-server/src/fspec-module.js';
import type { SpecGraph } from '../language-server/src/model/spec-graph.js';

const runs = 7;
const warmups = 2;
const services = createFspecServices(NodeFileSystem).Fspec;
const examples = ['examples/farmer-contract-allocation/farm-ops.fspec', 'examples/immigration-policy-impact/policy-impact.fspec'];

function median(values: number[]): number {
    return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

async function validated(file: string, text: string): Promise<{ graph: SpecGraph; ms: number }> {
    const started = performance.now();
    const spec = await services.model.DetachedSpecs.load(text, URI.file(path.resolve(file)));
    const errors = (await services.model.DetachedSpecs.validate(spec)).filter(d => d.severity === 1);
    if (errors.length || !spec.graph) {
        throw new Error(`${file}: ${errors.map(e => e.message).join('; ') || 'no graph'}`);
    }
    return { graph: spec.graph, ms: performance.now() - started };
}

async function main(): Promise<void> {
    console.log(`Compiler: spec text → built app (median of ${runs} after ${warmups} warm-ups), Node ${process.version}`);
    console.log('example               validate once   compile (in memory)   build (validate+compile+write)   rebuild unchanged   build ÷ validate   target 1000 ms');
    for (const file of examples) {
        const text = fs.readFileSync(file, 'utf8');
        const samples = { validate: [] as number[], compile: [] as number[], build: [] as number[], rebuild: [] as number[] };
        let files = 0;
        for (let i = 0; i < warmups + runs; i++) {
            const baseline = await validated(file, text);
            const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-compile-bench-'));
            const folders = { records: recordsFolderFrom(out, file), data: 'data' };

            const compileStart = performance.now();
            compileApp(baseline.graph, { folders });
            const compile = performance.now() - compileStart;

            const buildStart = performance.now();
            const { graph } = await validated(file, text);
            const compiled = compileApp(graph, { folders });
            writeBuild(compiled, out);
            const build = performance.now() - buildStart;

            const rebuildStart = performance.now();
            const again = writeBuild(compileApp(graph, { folders }), out);
            const rebuild = performance.now() - rebuildStart;
            if (again.written.length) {
                throw new Error(`${file}: a rebuild over an unchanged folder wrote ${again.written.join(', ')}`);
            }
            files = compiled.files.length + 1;
            fs.rmSync(out, { recursive: true, force: true });
            if (i >= warmups) {
                samples.validate.push(baseline.ms);
                samples.compile.push(compile);
                samples.build.push(build);
                samples.rebuild.push(rebuild);
            }
        }
        const [v, c, b, r] = [median(samples.validate), median(samples.compile), median(samples.build), median(samples.rebuild)];
        console.log(`${path.basename(file).padEnd(22)}${v.toFixed(1).padStart(10)} ms${c.toFixed(1).padStart(17)} ms${b.toFixed(1).padStart(28)} ms (${files} files)${r.toFixed(1).padStart(11)} ms${(b / v).toFixed(1).padStart(15)}×   ${b <= 1000 ? 'met' : 'NOT met'}`);
    }
}

void main();
