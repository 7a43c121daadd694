import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createFspecServices } from '../../language-server/src/fspec-module.js';
import { GitApprovedVersionStore } from '../../language-server/src/language/git-approved-versions.js';
import { SpecRepository } from '../../language-server/src/lineage/spec-repository.js';
import { farmOps, farmOpsApproved, farmOpsAt, Sandbox, withoutGitOnPath, withoutGlobalGitConfig } from './git-sandbox.js';

withoutGlobalGitConfig();
afterEach(() => vi.restoreAllMocks());

/** A FarmOps project: the spec at 0.2.0 and `.factory/approved/FarmOps.fspec` at 0.1.0, both committed. */
function farmProject(): Sandbox {
    return Sandbox.withCommit({ 'farm-ops.fspec': farmOps, '.factory/approved/FarmOps.fspec': farmOpsApproved });
}

function store(): GitApprovedVersionStore {
    return new GitApprovedVersionStore(createFspecServices(NodeFileSystem).Fspec);
}

async function approved(versions: GitApprovedVersionStore, sandbox: Sandbox) {
    const found = await versions.find('FarmOps', URI.file(sandbox.path('farm-ops.fspec')).toString());
    return { location: found?.location, version: found?.graph?.version, problem: found?.problem };
}

async function tagCurrentSpec(sandbox: Sandbox, version: string): Promise<void> {
    const opened = await SpecRepository.open(sandbox.path('farm-ops.fspec'));
    if (opened.kind !== 'repository') {
        throw new Error(opened.kind);
    }
    const growth = { specPath: sandbox.path('farm-ops.fspec'), specName: 'FarmOps', version, message: `Approve ${version}`, morphs: [], files: [] };
    await opened.repository.recordGrowth(growth);
}

describe('the approved version from git', () => {
    test('without a version tag, the .factory/approved file is the baseline', async () => {
        const sandbox = farmProject();
        expect(await approved(store(), sandbox)).toEqual({ location: sandbox.path('.factory/approved/FarmOps.fspec'), version: '0.1.0', problem: undefined });
    });

    test('the newest version tag HEAD descends from wins over the .factory/approved file', async () => {
        const sandbox = farmProject();
        await tagCurrentSpec(sandbox, '0.2.0');
        // The working copy grows on; the baseline stays the tagged text.
        sandbox.write('farm-ops.fspec', farmOpsAt('0.3.0'));
        expect(await approved(store(), sandbox)).toEqual({ location: 'git tag fspec/FarmOps/v0.2.0 (farm-ops.fspec)', version: '0.2.0', problem: undefined });
    });

    test('the .factory/approved file itself has no baseline, even when a tag holds it', async () => {
        const sandbox = farmProject();
        await tagCurrentSpec(sandbox, '0.2.0');
        expect(await store().find('FarmOps', URI.file(sandbox.path('.factory/approved/FarmOps.fspec')).toString())).toBeUndefined();
    });

    test('outside a repository, or without git, the .factory/approved file is the baseline', async () => {
        const sandbox = new Sandbox();
        sandbox.write('farm-ops.fspec', farmOps);
        sandbox.write('.factory/approved/FarmOps.fspec', farmOpsApproved);
        const fromFile = { location: sandbox.path('.factory/approved/FarmOps.fspec'), version: '0.1.0', problem: undefined };
        expect(await approved(store(), sandbox)).toEqual(fromFile);

        const tagged = farmProject();
        await tagCurrentSpec(tagged, '0.2.0');
        expect(await withoutGitOnPath(() => approved(store(), tagged))).toEqual({ ...fromFile, location: tagged.path('.factory/approved/FarmOps.fspec') });
    });

    test('git runs again only after the refs change: keystrokes cost no git, a new tag and a reset are seen', async () => {
        const sandbox = farmProject();
        await tagCurrentSpec(sandbox, '0.2.0');
        const versions = store();
        const gitReads = vi.spyOn(SpecRepository.prototype, 'approvedText');
        const opens = vi.spyOn(SpecRepository, 'open');

        expect((await approved(versions, sandbox)).version).toBe('0.2.0');
        sandbox.write('farm-ops.fspec', farmOpsAt('0.3.0'));
        expect((await approved(versions, sandbox)).version).toBe('0.2.0');
        expect((await approved(versions, sandbox)).version).toBe('0.2.0');
        expect(gitReads).toHaveBeenCalledTimes(1);

        sandbox.git('commit', '--quiet', '-am', 'Grow to 0.3.0');
        expect((await approved(versions, sandbox)).version).toBe('0.2.0');
        // Only the spec's tag folder changes: HEAD stays on the commit it was on.
        sandbox.git('tag', '--annotate', '-m', 'Approve 0.3.0', 'fspec/FarmOps/v0.3.0');
        expect(await approved(versions, sandbox)).toEqual({ location: 'git tag fspec/FarmOps/v0.3.0 (farm-ops.fspec)', version: '0.3.0', problem: undefined });
        const reads = gitReads.mock.calls.length;
        expect((await approved(versions, sandbox)).version).toBe('0.3.0');
        expect(gitReads).toHaveBeenCalledTimes(reads);

        sandbox.git('reset', '--quiet', '--hard', 'HEAD~1');
        expect((await approved(versions, sandbox)).version).toBe('0.2.0');
        expect(opens).toHaveBeenCalledTimes(1);
    });

    test('a tagged text that does not parse is reported as a problem of the approved version', async () => {
        const sandbox = farmProject();
        sandbox.write('farm-ops.fspec', 'spec FarmOps version "0.2.0" {');
        await tagCurrentSpec(sandbox, '0.2.0');
        const found = await approved(store(), sandbox);
        expect(found.location).toBe('git tag fspec/FarmOps/v0.2.0 (farm-ops.fspec)');
        expect(found.problem).toMatch(/^the approved version does not parse/);
    });
});
