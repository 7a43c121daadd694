import * as fs from 'node:fs';
import { registerFauxProvider, type FauxProviderRegistration } from '@mariozechner/pi-ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withoutGlobalGitConfig, type Sandbox } from '../lineage/git-sandbox.js';
import { farmAt020, growWith, workingTree } from '../crew/migration-sandbox.js';
import { fspecWithInput } from './run-fspec.js';

withoutGlobalGitConfig();

let faux: FauxProviderRegistration;
beforeEach(() => faux = registerFauxProvider());
afterEach(() => faux.unregister());


/** FarmOps grown to 0.3.0 with a region field on its stored contracts. */
async function grownFarm(): Promise<Sandbox> {
    const sandbox = farmAt020();
    const { result } = await growWith(faux, sandbox, [{ type: 'add_field', entity: 'Contract', name: 'region', field_type: 'string', default: 'north' }]);
    expect(result.status).toBe('grown');
    return sandbox;
}

describe('fspec rollback', () => {
    it('with --yes restores spec, records and baseline, and records the rollback as a commit', async () => {
        const sandbox = await grownFarm();
        const run = await fspecWithInput(['rollback', 'farm-ops.fspec', '--to', '0.2.0', '--yes'], '', sandbox.folder);
        expect(run.stderr).toContain('Rollback of FarmOps from 0.3.0 to 0.2.0 (stage juvenile):\n  Undo the migration to 0.3.0:\n    remove_field Contract.region\n');
        expect(run.stderr).toContain('  delete .factory/migrations/0.3.0.json');
        expect(run.stdout.trim()).toMatch(/^FarmOps rolled back from 0\.3\.0 to 0\.2\.0: commit [0-9a-f]{7}, tag fspec\/FarmOps\/rollback-0\.3\.0-to-0\.2\.0\.$/);
        expect(run.code).toBe(0);

        for (const file of ['farm-ops.fspec', 'records/Contract.json']) {
            expect(fs.readFileSync(sandbox.path(file), 'utf8')).toBe(sandbox.git('show', `fspec/FarmOps/v0.2.0:${file}`));
        }
        expect(sandbox.git('log', '-1', '--format=%s').trim()).toBe('Roll back FarmOps from 0.3.0 to 0.2.0');
        // Nothing left uncommitted but the build the crew deployed 0.3.0 from.
        expect(sandbox.status().filter(line => !line.startsWith('?? .factory/build/0.3.0/'))).toEqual([]);
        const lineage = await fspecWithInput(['lineage', 'farm-ops.fspec'], '', sandbox.folder);
        expect(lineage.stdout).toContain('Approved baseline: 0.2.0 (git tag fspec/FarmOps/v0.2.0 (farm-ops.fspec))');
        const validated = await fspecWithInput(['validate', 'farm-ops.fspec'], '', sandbox.folder);
        expect(validated.stdout).toContain('1 spec checked: 0 errors');
    });

    it('leaves the version it went back past in fspec lineage, marked rolled back; the restored one is not marked', async () => {
        const sandbox = await grownFarm();
        const grown = sandbox.git('rev-parse', '--short=7', 'fspec/FarmOps/v0.3.0^{commit}').trim();
        expect((await fspecWithInput(['rollback', 'farm-ops.fspec', '--to', '0.2.0', '--yes'], '', sandbox.folder)).code).toBe(0);
        const lineage = await fspecWithInput(['lineage', 'farm-ops.fspec'], '', sandbox.folder);
        // The spec is 0.2.0 again, so its lineage section no longer names 0.3.0: git still records it.
        expect(lineage.stdout).toMatch(new RegExp(`^  recorded 0\\.3\\.0 \\[fspec/FarmOps/v0\\.3\\.0 ${grown} \\d{4}-\\d\\d-\\d\\d, rolled back\\] not in the lineage section$`, 'm'));
        expect(lineage.stdout).toMatch(/^\* stage juvenile 0\.2\.0 from seed .* \[fspec\/FarmOps\/v0\.2\.0 [0-9a-f]{7} \d{4}-\d\d-\d\d\]$/m);
    });

    it('asks first: any answer but yes rolls nothing back (exit 1); --json prints the result', async () => {
        const sandbox = await grownFarm();
        const before = workingTree(sandbox);
        const declined = await fspecWithInput(['rollback', 'farm-ops.fspec', '--to', '0.2.0'], 'n\n', sandbox.folder);
        expect(declined).toMatchObject({ code: 1, stdout: 'Nothing was rolled back; FarmOps stays at 0.3.0.\n' });
        expect(workingTree(sandbox)).toEqual(before);

        const confirmed = await fspecWithInput(['rollback', 'farm-ops.fspec', '--to', '0.2.0', '--json'], 'yes\n', sandbox.folder);
        expect(confirmed.code).toBe(0);
        expect(JSON.parse(confirmed.stdout)).toMatchObject({
            status: 'rolled-back', spec: 'FarmOps', from: '0.3.0', to: '0.2.0', tag: 'fspec/FarmOps/rollback-0.3.0-to-0.2.0', undone: ['0.3.0'],
            commit: sandbox.head()
        });
    });

    it('refuses an unknown version and a dirty spec with a clear message, exit 1, nothing changed', async () => {
        const sandbox = await grownFarm();
        const head = sandbox.head();
        const unknown = await fspecWithInput(['rollback', 'farm-ops.fspec', '--to', '0.1.0', '--yes', '--json'], '', sandbox.folder);
        expect(unknown.code).toBe(1);
        expect(JSON.parse(unknown.stdout)).toEqual({
            status: 'refused', message: 'FarmOps has no approved version 0.1.0 (no tag fspec/FarmOps/v0.1.0); `fspec lineage farm-ops.fspec` lists the recorded versions.'
        });

        fs.appendFileSync(sandbox.path('farm-ops.fspec'), '// unsaved thought\n');
        const before = workingTree(sandbox);
        const dirty = await fspecWithInput(['rollback', 'farm-ops.fspec', '--to', '0.2.0', '--yes'], '', sandbox.folder);
        expect(dirty).toMatchObject({ code: 1, stdout: 'Commit or discard the changes to farm-ops.fspec first: the rollback commits these files.\n' });
        expect(workingTree(sandbox)).toEqual(before);
        expect(sandbox.head()).toBe(head);

        const missing = await fspecWithInput(['rollback', 'nowhere.fspec', '--to', '0.2.0'], '', sandbox.folder);
        expect(missing.code).toBe(2);
        const noVersion = await fspecWithInput(['rollback', 'farm-ops.fspec'], '', sandbox.folder);
        expect(noVersion.stderr).toContain("required option '--to <version>' not specified");
    });
});
