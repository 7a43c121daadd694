import * as fs from 'node:fs';
import { registerFauxProvider, type FauxProviderRegistration } from '@mariozechner/pi-ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MigrationRecord } from '../../language-server/src/crew/roles/migrator.js';
import { formatMutationPr } from '../../language-server/src/cli/mutation-pr-text.js';
import { withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { farmAt020, growWith, workingTree } from './migration-sandbox.js';

withoutGlobalGitConfig();

let faux: FauxProviderRegistration;
beforeEach(() => faux = registerFauxProvider());
afterEach(() => faux.unregister());

const contracts = JSON.parse(fs.readFileSync('examples/farmer-contract-allocation/records/Contract.json', 'utf8')) as Array<Record<string, unknown>>;

describe('a growth that changes a data contract migrates the stored records', () => {
    it('adds a field with its default to every stored record, shows the migration in the PR and commits records and migration record', async () => {
        const sandbox = farmAt020();
        const { result, reviewed } = await growWith(faux, sandbox, [
            { type: 'add_field', entity: 'Contract', name: 'region', field_type: 'string', default: 'north' }
        ]);
        expect(result).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.3.0' });

        const [pr] = reviewed;
        expect(pr.migration).toEqual({
            ops: [{ op: 'add_field', entity: 'Contract', field: 'region', default: 'north' }],
            files: [{ file: 'records/Contract.json', entity: 'Contract', records: 4 }]
        });
        expect(formatMutationPr(pr)).toContain('Migration of stored records:\n  add_field Contract.region = "north"\n  records/Contract.json: 4 records');

        const spec = fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8');
        expect(spec).toMatch(/      priority: int\n      region: string = "north"\n    \}/);
        expect(spec).toContain('by add_field Contract.region');
        const migrated = JSON.parse(fs.readFileSync(sandbox.path('records/Contract.json'), 'utf8'));
        expect(migrated).toEqual(contracts.map(record => ({ ...record, region: 'north' })));

        const record = JSON.parse(fs.readFileSync(sandbox.path('.factory/migrations/0.3.0.json'), 'utf8')) as MigrationRecord;
        expect(record).toEqual({
            spec: 'FarmOps', from: '0.2.0', to: '0.3.0',
            ops: [{ op: 'add_field', entity: 'Contract', field: 'region', default: 'north' }],
            inverse: [{ op: 'remove_field', entity: 'Contract', field: 'region' }],
            files: ['records/Contract.json']
        });
        expect(sandbox.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n')).toEqual([
            '.factory/approved/FarmOps.fspec', '.factory/migrations/0.3.0.json', 'farm-ops.fspec', 'records/Contract.json'
        ]);
        // The Deployer's build of the approved version is ignored: nothing is left over.
        expect(sandbox.status()).toEqual([]);
    });

    it('grows without a migration record when no data contract changes', async () => {
        const sandbox = farmAt020();
        const { result, reviewed } = await growWith(faux, sandbox, [
            { type: 'add_entity', name: 'Region', fields: [{ name: 'name', type: 'string' }] }
        ]);
        expect(result.status).toBe('grown');
        expect(reviewed[0].migration).toEqual({ ops: [], files: [] });
        expect(fs.existsSync(sandbox.path('.factory/migrations'))).toBe(false);
        expect(sandbox.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n')).toEqual(['.factory/approved/FarmOps.fspec', 'farm-ops.fspec']);
    });

    it('stops before review when a stored value cannot convert, naming the record and value, and writes nothing', async () => {
        const sandbox = farmAt020();
        const before = workingTree(sandbox);
        const { result, reviewed, text } = await growWith(faux, sandbox, [
            { type: 'change_field_type', entity: 'Contract', name: 'sku', field_type: 'int' }
        ]);
        expect(result).toMatchObject({
            status: 'failed',
            message: 'Cannot convert Contract.sku from string to int: records/Contract.json[0] has "tomato-sungold-pint" (not a whole number).'
        });
        expect(reviewed).toEqual([]);
        expect(workingTree(sandbox)).toEqual({ ...before, 'farm-ops.fspec': text });
        expect(sandbox.git('tag', '--list').trim()).toBe('fspec/FarmOps/v0.2.0');
    });

    it('refuses a required field without a default on an entity with stored records', async () => {
        const sandbox = farmAt020();
        const { result, reviewed } = await growWith(faux, sandbox, [{ type: 'add_field', entity: 'Contract', name: 'region', field_type: 'string' }]);
        expect(result).toMatchObject({
            status: 'failed',
            message: 'Field Contract.region needs a default or must be optional: 4 stored records in records/Contract.json have no value for it.'
        });
        expect(reviewed).toEqual([]);
    });

    it('leaves the stored records untouched when the deploy fails after the migration was prepared', async () => {
        const sandbox = farmAt020();
        const before = workingTree(sandbox);
        const { result, text } = await growWith(faux, sandbox, [
            { type: 'add_field', entity: 'Contract', name: 'region', field_type: 'string', default: 'north' }
        ], async () => { throw new Error('disk full'); });
        expect(result).toMatchObject({ status: 'failed', message: expect.stringContaining('disk full') });
        expect(workingTree(sandbox)).toEqual({ ...before, 'farm-ops.fspec': text });
    });

    it('puts the stored records back, and leaves no migration record, when the lineage refuses the commit', async () => {
        const sandbox = farmAt020();
        sandbox.git('checkout', '--quiet', '--detach');
        const before = workingTree(sandbox);
        const { result, text } = await growWith(faux, sandbox, [
            { type: 'add_field', entity: 'Contract', name: 'region', field_type: 'string', default: 'north' }
        ]);
        expect(result.status).toBe('failed');
        expect(result.message).toMatch(/^The growth was not recorded, so the spec and its stored records were restored: HEAD is detached/);
        expect(workingTree(sandbox)).toEqual({ ...before, 'farm-ops.fspec': text });
        expect(sandbox.git('rev-list', '--count', 'HEAD').trim()).toBe('1');
    });
});
