import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp, defaultBuildFolder } from '../../language-server/src/compiler/build-app.js';
import { compileApp } from '../../language-server/src/compiler/compile.js';
import { bodiesOf, sha256, withBodies, withoutBodies } from '../../language-server/src/compiler/regions.js';
import { build, exampleCopy, farmSpec, policySpec, snapshot, specGraph, tempDir, typecheck } from './compiled-app.js';

describe('the Compiler turns a spec into a TypeScript app', () => {
    it('writes a type and a JSON Schema per entity, with pii/phi flags, enums, optional fields, lists and references', async () => {
        const { out } = await build(farmSpec);
        const types = fs.readFileSync(path.join(out, 'src/types.ts'), 'utf8');
        expect(types).toContain('export interface SprayEvent {');
        expect(types).toContain('    block: rt.Ref<Block>;');
        expect(types).toContain('    status: "reserved" | "shortfall";');
        expect(types).toContain('    eta?: string | null;');
        expect(types).toContain('    lines: rt.Ref<Allocation>[];');
        expect(types).toContain('    delivery_day: rt.Weekday;');
        const spray = JSON.parse(fs.readFileSync(path.join(out, 'schemas/SprayEvent.schema.json'), 'utf8'));
        expect(spray.properties.phi_days).toEqual({ description: 'Pre-harvest interval in days', type: 'integer', 'x-fspec-type': 'int', 'x-fspec-phi': true });
        expect(spray.properties.applicator['x-fspec-pii']).toBe(true);
        expect(spray.properties.block).toMatchObject({ type: ['string', 'object'], 'x-fspec-ref': 'Block' });
        expect(spray.required).toEqual(['block', 'product', 'date', 'phi_days', 'applicator']);
        const delivery = JSON.parse(fs.readFileSync(path.join(out, 'schemas/Delivery.schema.json'), 'utf8'));
        expect(delivery.properties.eta.anyOf).toEqual([{ type: 'string', format: 'date-time' }, { type: 'null' }]);
        expect(delivery.required).toEqual(['packlist', 'route_stop']);
    });

    it('writes a typed module per step and gate, its body between the markers', async () => {
        const { out } = await build(farmSpec);
        const allocate = fs.readFileSync(path.join(out, 'src/pipelines/contract_allocation/allocate.ts'), 'utf8');
        expect(allocate).toContain('export function allocate(input: AllocateInput, ctx: rt.StepContext): AllocateOutput {');
        expect(allocate).toMatch(/reads: \{\n\s+Contract: rt\.Stored<T\.Contract>\[\];\n\s+Forecast: rt\.Stored<T\.Forecast>\[\];/);
        expect(allocate).toContain('    Allocation: T.Allocation[];');
        expect([...bodiesOf(allocate).keys()]).toEqual(['contract_allocation.allocate']);
        const gate = fs.readFileSync(path.join(out, 'src/pipelines/contract_allocation/phi_gate.ts'), 'utf8');
        expect(gate).toContain('export type PhiGateBlocked = rt.Blocked<"SprayEvent" | "Forecast", "no_phi_harvest">;');
        expect(gate).toContain('export function phiGate(input: PhiGateInput, ctx: rt.StepContext): PhiGateBlocked[] {');
        const surplus = fs.readFileSync(path.join(out, 'src/pipelines/contract_allocation/surplus.ts'), 'utf8');
        expect(surplus).toMatch(/earlier: \{\n\s+Allocation: rt\.Stored<T\.Allocation>\[\];/);
    });

    it('typechecks with tsc --noEmit: the farmer example', async () => {
        const { out } = await build(farmSpec);
        const result = await typecheck(out);
        expect(result.stdout + result.stderr).toBe('');
        expect(result.code).toBe(0);
    });

    it('typechecks with tsc --noEmit: the immigration example', async () => {
        const { out } = await build(policySpec);
        const result = await typecheck(out);
        expect(result.stdout + result.stderr).toBe('');
        expect(result.code).toBe(0);
    });

    it('regenerates byte-identical output from an unchanged spec', async () => {
        for (const spec of [farmSpec, policySpec]) {
            const first = await build(spec);
            const before = snapshot(first.out);
            fs.rmSync(first.out, { recursive: true });
            const again = await build(spec, { out: first.out });
            expect(snapshot(again.out)).toEqual(before);
            const rebuilt = await build(spec, { out: first.out });
            expect(rebuilt.written).toEqual([]);
            expect(compileApp(await specGraph(spec))).toEqual(compileApp(await specGraph(spec)));
        }
    });

    it('writes a manifest with a sha256 per generated file, marked regions left out, and one per body', async () => {
        const { out, manifest } = await build(farmSpec);
        const files = snapshot(out);
        files.delete('manifest.json');
        expect(manifest.files.map(f => f.path)).toEqual([...files.keys()].sort());
        for (const entry of manifest.files) {
            expect(entry.sha256, entry.path).toBe(sha256(withoutBodies(files.get(entry.path)!)));
        }
        const allocate = manifest.bodies.find(b => b.stage === 'contract_allocation.allocate')!;
        expect(allocate).toMatchObject({ kind: 'step', grown: 'priority', file: 'src/pipelines/contract_allocation/allocate.ts' });
        expect(allocate.sha256).toBe(sha256(bodiesOf(files.get(allocate.file)!).get(allocate.stage)!));
        // A body changed by hand leaves the file's hash as it was.
        const edited = files.get(allocate.file)!.replace("status: 'reserved' });", "status: 'reserved' }); // by hand");
        expect(sha256(withoutBodies(edited))).toBe(manifest.files.find(f => f.path === allocate.file)!.sha256);
        expect(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
    });

    it('keeps a body edited by hand when rebuilding, and removes the files of a step the spec dropped', async () => {
        const first = await build(farmSpec);
        const file = path.join(first.out, 'src/pipelines/contract_allocation/route_plan.ts');
        const text = fs.readFileSync(file, 'utf8');
        const handBody = '    // Written by hand.\n    return { Delivery: [] };\n';
        fs.writeFileSync(file, withBodies(text, new Map([['contract_allocation.route_plan', handBody]])));
        const dropped = tempDir('dropped');
        const spec = path.join(dropped, 'farm-ops.fspec');
        fs.writeFileSync(spec, fs.readFileSync(farmSpec, 'utf8').replace(/\n\s*step invoices .*/, '').replace('covers invoices', 'covers allocate'));
        const rebuilt = await build(spec, { out: first.out });
        expect(rebuilt.kept).toEqual(['contract_allocation.route_plan']);
        expect(bodiesOf(fs.readFileSync(file, 'utf8')).get('contract_allocation.route_plan')).toBe(handBody);
        expect(rebuilt.bodies.find(b => b.stage === 'contract_allocation.route_plan')?.grown).toBe('edited');
        expect(rebuilt.removed).toEqual(['src/pipelines/contract_allocation/invoices.ts']);
        expect(fs.existsSync(path.join(first.out, 'src/pipelines/contract_allocation/invoices.ts'))).toBe(false);
        // Still kept on the next build: the manifest remembers it was edited.
        expect((await build(spec, { out: first.out })).kept).toEqual(['contract_allocation.route_plan']);
    });

    it('keeps a body edited by hand in its build as source in .factory/bodies/, which outlives the build folder', async () => {
        const spec = exampleCopy(farmSpec);
        const graph = await specGraph(spec);
        const out = buildApp(graph, spec).out;
        expect(out).toBe(defaultBuildFolder(spec, '0.2.0'));
        const module = path.join(out, 'src/pipelines/contract_allocation/route_plan.ts');
        // Lines as a person writes them, indented their own way.
        const handBody = '  // Written by hand, indented by two.\n    return { Delivery: [] };\n\n';
        fs.writeFileSync(module, withBodies(fs.readFileSync(module, 'utf8'), new Map([['contract_allocation.route_plan', handBody]])));

        const rebuilt = buildApp(graph, spec);
        expect(rebuilt.kept).toEqual(['contract_allocation.route_plan']);
        const bodyFile = path.join(path.dirname(spec), '.factory/bodies/contract_allocation/route_plan.ts');
        expect(fs.readFileSync(bodyFile, 'utf8')).toBe(`// fspec body of step contract_allocation.route_plan, edited by hand\n${handBody}`);
        const built = snapshot(out);
        expect(built.get('src/pipelines/contract_allocation/route_plan.ts')).toContain(' * Body: edited by hand.');

        // Deleted with its build folder (a fresh clone has none either): the next build is the same, byte for byte.
        fs.rmSync(path.join(path.dirname(spec), '.factory/build'), { recursive: true });
        const again = buildApp(graph, spec);
        expect(again.bodies.find(b => b.stage === 'contract_allocation.route_plan')).toMatchObject({ grown: 'edited', bodyFile: '.factory/bodies/contract_allocation/route_plan.ts' });
        expect(bodiesOf(fs.readFileSync(module, 'utf8')).get('contract_allocation.route_plan')).toBe(handBody);
        expect(snapshot(out)).toEqual(built);
    });
});
