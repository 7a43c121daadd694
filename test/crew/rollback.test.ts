import * as fs from 'node:fs';
import * as path from 'node:path';
import { registerFauxProvider, type FauxProviderRegistration } from '@mariozechner/pi-ai';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../language-server/src/compiler/build-app.js';
import { bodiesOf, withBodies } from '../../language-server/src/compiler/regions.js';
import { applyRollback, planRollback } from '../../language-server/src/crew/rollback.js';
import { createFspecServices } from '../../language-server/src/fspec-module.js';
import { SpecRepository } from '../../language-server/src/lineage/spec-repository.js';
import { Sandbox, withoutGitOnPath, withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { loadAs, services } from './example-specs.js';
import { farmAt020, growWith, workingTree } from './migration-sandbox.js';

withoutGlobalGitConfig();

let faux: FauxProviderRegistration;
beforeEach(() => faux = registerFauxProvider());
afterEach(() => faux.unregister());

/** FarmOps grown from 0.2.0 to 0.3.0 with a new field and a lossy conversion of its stored prices. */
async function grownFarm(): Promise<{ sandbox: Sandbox, spec: string }> {
    const sandbox = farmAt020();
    const { result } = await growWith(faux, sandbox, [
        { type: 'add_field', entity: 'Contract', name: 'region', field_type: 'string', default: 'north' },
        { type: 'change_field_type', entity: 'Contract', name: 'price_floor', field_type: 'int' }
    ]);
    expect(result.status).toBe('grown');
    expect(JSON.parse(fs.readFileSync(sandbox.path('records/Contract.json'), 'utf8'))[0]).toMatchObject({ price_floor: 5, region: 'north' });
    return { sandbox, spec: sandbox.path('farm-ops.fspec') };
}

const rollback = async (spec: string, to: string) => applyRollback(await planRollback(services, spec, to));

/** What a refusal must leave as it was: the working tree, HEAD and the tags. */
function snapshot(sandbox: Sandbox) {
    return { files: workingTree(sandbox), head: sandbox.head(), tags: sandbox.git('tag', '--list').trim() };
}

describe('rollback', () => {
    it('restores the spec, the stored records (original values included) and the approved baseline, as a commit of its own', async () => {
        const { sandbox, spec } = await grownFarm();
        const grownHead = sandbox.head();
        const rolledBack = await rollback(spec, '0.2.0');
        expect(rolledBack).toMatchObject({ spec: 'FarmOps', from: '0.3.0', to: '0.2.0', tag: 'fspec/FarmOps/rollback-0.3.0-to-0.2.0', undone: ['0.3.0'] });
        expect(rolledBack.message).toMatch(/^FarmOps rolled back from 0\.3\.0 to 0\.2\.0: commit [0-9a-f]{7}, tag fspec\/FarmOps\/rollback-0\.3\.0-to-0\.2\.0\.$/);

        const at020 = (file: string) => sandbox.git('show', `fspec/FarmOps/v0.2.0:${file}`);
        expect(fs.readFileSync(spec, 'utf8')).toBe(at020('farm-ops.fspec'));
        expect(fs.readFileSync(sandbox.path('records/Contract.json'), 'utf8')).toBe(at020('records/Contract.json'));
        expect(fs.readFileSync(sandbox.path('.factory/approved/FarmOps.fspec'), 'utf8')).toBe(at020('farm-ops.fspec'));
        expect(fs.existsSync(sandbox.path('.factory/migrations/0.3.0.json'))).toBe(false);
        expect(JSON.parse(fs.readFileSync(sandbox.path('.factory/migrations/rollback-0.3.0-to-0.2.0.json'), 'utf8'))).toEqual({
            spec: 'FarmOps', from: '0.3.0', to: '0.2.0', undone: ['0.3.0'],
            files: ['farm-ops.fspec', '.factory/approved/FarmOps.fspec', 'records/Contract.json', '.factory/migrations/0.3.0.json']
        });

        expect(sandbox.git('rev-parse', 'HEAD^').trim()).toBe(grownHead);
        expect(sandbox.git('show', '--name-status', '--format=%s', 'HEAD').trim().split('\n')).toEqual([
            'Roll back FarmOps from 0.3.0 to 0.2.0', '',
            'M\t.factory/approved/FarmOps.fspec', 'D\t.factory/migrations/0.3.0.json', 'A\t.factory/migrations/rollback-0.3.0-to-0.2.0.json',
            'M\tfarm-ops.fspec', 'M\trecords/Contract.json'
        ]);
        expect(sandbox.git('tag', '--list', '--format=%(contents)', rolledBack.tag)).toContain('Fspec-Rollback: 0.3.0 -> 0.2.0');
        // Only the Deployer's build of the grown version is left (a project's .gitignore may leave it out).
        expect(sandbox.status().filter(line => !line.startsWith('?? .factory/build/0.3.0/'))).toEqual([]);

        // The baseline follows: 0.3.0 is rolled back, so cross-version checks compare with 0.2.0 again.
        const approved = await createFspecServices(NodeFileSystem).Fspec.model.ApprovedVersions.find('FarmOps', URI.file(spec).toString());
        expect([approved?.location, approved?.graph?.version]).toEqual(['git tag fspec/FarmOps/v0.2.0 (farm-ops.fspec)', '0.2.0']);
        const opened = await SpecRepository.open(spec);
        const versions = opened.kind === 'repository' ? await opened.repository.versions('FarmOps') : [];
        expect(versions.map(v => [v.version, v.rolledBack])).toEqual([['0.3.0', true], ['0.2.0', false]]);

        // The next growth skips the rolled-back version: 0.3.0 stays the record of what was undone.
        const regrown = await growWith(faux, sandbox, [{ type: 'add_field', entity: 'Block', name: 'organic', field_type: 'bool', default: false }]);
        expect(regrown.result).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.4.0' });
    });

    it('restores the step bodies of the version: those added since deleted, changed ones as they were, and the next build takes them', async () => {
        const sandbox = farmAt020();
        const spec = sandbox.path('farm-ops.fspec');
        const bodies = (stage: string) => sandbox.path(`.factory/bodies/contract_allocation/${stage}.ts`);
        // At 0.2.0 the route plan's body was written by hand.
        const routeAt020 = '// fspec body of step contract_allocation.route_plan, edited by hand\n    return { Delivery: [] };\n';
        sandbox.write('.factory/bodies/contract_allocation/route_plan.ts', routeAt020);
        sandbox.git('add', '--all');
        sandbox.git('commit', '--quiet', '-m', 'Route plan by hand');
        sandbox.git('tag', '--force', '--annotate', '-m', 'Approve 0.2.0', 'fspec/FarmOps/v0.2.0');
        // Then both bodies are edited by hand in 0.2.0's build, which is not built again before the growth.
        const graph = (await loadAs(spec, fs.readFileSync(spec, 'utf8'))).graph!;
        const out = buildApp(graph, spec).out;
        const module = (stage: string) => path.join(out, `src/pipelines/contract_allocation/${stage}.ts`);
        const edit = (stage: string, body: (region: string) => string) => {
            const text = fs.readFileSync(module(stage), 'utf8');
            const qualified = `contract_allocation.${stage}`;
            fs.writeFileSync(module(stage), withBodies(text, new Map([[qualified, body(bodiesOf(text).get(qualified)!)]])));
        };
        edit('allocate', region => `    // Checked by hand.\n${region}`);
        edit('route_plan', region => `    // Deliveries come later.\n${region}`);

        const { result } = await growWith(faux, sandbox, [{ type: 'add_field', entity: 'Contract', name: 'region', field_type: 'string', default: 'north' }]);
        expect(result.status).toBe('grown');
        expect(sandbox.git('show', '--name-status', '--format=', 'HEAD').trim().split('\n')).toEqual(expect.arrayContaining([
            'A\t.factory/bodies/contract_allocation/allocate.ts', 'M\t.factory/bodies/contract_allocation/route_plan.ts'
        ]));

        await rollback(spec, '0.2.0');
        expect(fs.existsSync(bodies('allocate'))).toBe(false);
        expect(fs.readFileSync(bodies('route_plan'), 'utf8')).toBe(routeAt020);
        expect(sandbox.git('show', '--name-status', '--format=', 'HEAD').trim().split('\n')).toEqual(expect.arrayContaining([
            'D\t.factory/bodies/contract_allocation/allocate.ts', 'M\t.factory/bodies/contract_allocation/route_plan.ts'
        ]));
        expect(sandbox.status()).toEqual([]);

        // 0.2.0's app built again has 0.2.0's bodies: the hand edits made since are not found again in its build folder.
        const rebuilt = buildApp(graph, spec);
        expect(rebuilt.bodies.find(b => b.stage === 'contract_allocation.allocate')).toMatchObject({ grown: 'priority' });
        expect(bodiesOf(fs.readFileSync(module('route_plan'), 'utf8')).get('contract_allocation.route_plan')).toBe('    return { Delivery: [] };\n');
        expect(sandbox.status()).toEqual([]);
    });

    it('refuses, changing nothing, an unknown version, a version that is not older, and uncommitted spec or records', async () => {
        const { sandbox, spec } = await grownFarm();
        const refusals: Array<[string, () => void, string]> = [
            ['0.1.0', () => undefined, 'FarmOps has no approved version 0.1.0 (no tag fspec/FarmOps/v0.1.0); `fspec lineage farm-ops.fspec` lists the recorded versions.'],
            ['0.3.0', () => undefined, 'FarmOps is at 0.3.0: a rollback goes back to an older approved version, and 0.3.0 is not older.'],
            ['0.2.0', () => fs.appendFileSync(spec, '// a note\n'), 'Commit or discard the changes to farm-ops.fspec first: the rollback commits these files.'],
            ['0.2.0', () => sandbox.write('records/Forecast.json', '[]\n'), 'Commit or discard the changes to records/Forecast.json first: the rollback commits these files.']
        ];
        for (const [to, edit, message] of refusals) {
            edit();
            const before = snapshot(sandbox);
            await expect(rollback(spec, to)).rejects.toThrow(message);
            expect(snapshot(sandbox)).toEqual(before);
            sandbox.git('checkout', '--quiet', '--', '.');
            sandbox.git('clean', '--quiet', '-f', '--', 'records');
        }
    });

    it('refuses a migration that can no longer be undone, naming the record in the way', async () => {
        const sandbox = farmAt020();
        await growWith(faux, sandbox, [{ type: 'rename_field', entity: 'Contract', from: 'buyer', to: 'buyer_name' }]);
        const records = JSON.parse(fs.readFileSync(sandbox.path('records/Contract.json'), 'utf8'));
        records[2].buyer = 'Millbrook Market';
        sandbox.write('records/Contract.json', `${JSON.stringify(records, null, 2)}\n`);
        sandbox.git('commit', '--quiet', '-am', 'The app stored a buyer again');
        const before = snapshot(sandbox);
        await expect(rollback(sandbox.path('farm-ops.fspec'), '0.2.0')).rejects.toThrow(
            'The migration to 0.3.0 cannot be undone: Cannot rename Contract.buyer_name to buyer: records/Contract.json[2] already has a value for buyer ("Millbrook Market").');
        expect(snapshot(sandbox)).toEqual(before);
    });

    it('puts every file back when git refuses to record the rollback', async () => {
        const { sandbox, spec } = await grownFarm();
        sandbox.git('tag', 'fspec/FarmOps/rollback-0.3.0-to-0.2.0');
        const before = snapshot(sandbox);
        await expect(rollback(spec, '0.2.0')).rejects.toThrow('The rollback was not recorded, so every file was put back: FarmOps was already rolled back from 0.3.0 to 0.2.0');
        expect(snapshot(sandbox)).toEqual(before);
    });

    it('refuses outside a repository and without git', async () => {
        const folder = new Sandbox().folder;
        fs.cpSync(path.resolve('examples/farmer-contract-allocation'), folder, { recursive: true });
        const spec = path.join(folder, 'farm-ops.fspec');
        await expect(rollback(spec, '0.1.0')).rejects.toThrow(`${folder} is not in a git repository, so farm-ops.fspec has no recorded versions to roll back to.`);
        await expect(withoutGitOnPath(() => rollback(spec, '0.1.0'))).rejects.toThrow('git was not found: install git');
    });
});
