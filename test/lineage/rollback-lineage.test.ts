import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { describe, expect, test } from 'vitest';
import { createFspecServices } from '../../language-server/src/fspec-module.js';
import { GitApprovedVersionStore } from '../../language-server/src/language/git-approved-versions.js';
import { replaceFiles } from '../../language-server/src/lineage/atomic-write.js';
import { growthMessage, readGrowthMessage } from '../../language-server/src/lineage/growth-message.js';
import { LineageRefusal } from '../../language-server/src/lineage/lineage-refusal.js';
import { SpecRepository, type Rollback } from '../../language-server/src/lineage/spec-repository.js';
import { emptyFolder, farmOps, farmOpsAt, Sandbox, withoutGlobalGitConfig } from './git-sandbox.js';

withoutGlobalGitConfig();

/** FarmOps grown, as the Historian records it, through each of `versions`; a migration record is committed with 0.3.0. */
async function grownThrough(...versions: string[]): Promise<{ sandbox: Sandbox, repository: SpecRepository }> {
    const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps });
    const opened = await SpecRepository.open(sandbox.path('farm-ops.fspec'));
    if (opened.kind !== 'repository') {
        throw new Error(opened.kind);
    }
    for (const version of versions) {
        await grow(opened.repository, sandbox, version);
    }
    return { sandbox, repository: opened.repository };
}

function grow(repository: SpecRepository, sandbox: Sandbox, version: string) {
    sandbox.write('farm-ops.fspec', farmOpsAt(version));
    const files = version === '0.3.0' ? [sandbox.path('.factory/migrations/0.3.0.json')] : [];
    files.forEach(file => sandbox.write(path.relative(sandbox.folder, file), '{}\n'));
    return repository.recordGrowth({ specPath: sandbox.path('farm-ops.fspec'), specName: 'FarmOps', version, message: `Grow to ${version}`, morphs: [], files });
}

/** The rollback of FarmOps from `from` to 0.2.0: its text restored and 0.3.0's migration record deleted. */
function rollbackTo020(sandbox: Sandbox, from: string): Rollback {
    sandbox.write('farm-ops.fspec', farmOpsAt('0.2.0'));
    fs.rmSync(sandbox.path('.factory/migrations/0.3.0.json'), { force: true });
    return {
        specPath: sandbox.path('farm-ops.fspec'), specName: 'FarmOps', from, to: '0.2.0', stage: 'juvenile',
        message: `Roll back FarmOps from ${from} to 0.2.0`, files: [sandbox.path('.factory/migrations/0.3.0.json')]
    };
}

async function refusal(promise: Promise<unknown>): Promise<LineageRefusal> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(LineageRefusal);
    return error as LineageRefusal;
}

describe('a recorded rollback', () => {
    test('is one commit of exactly its files, deletions included, tagged with what it restored', async () => {
        const { sandbox, repository } = await grownThrough('0.2.0', '0.3.0', '0.4.0');
        sandbox.write('notes.md', 'not part of the rollback\n');
        const { tag, commit } = await repository.recordRollback(rollbackTo020(sandbox, '0.4.0'));

        expect(tag).toBe('fspec/FarmOps/rollback-0.4.0-to-0.2.0');
        expect(commit).toBe(sandbox.head());
        expect(sandbox.git('show', '--name-status', '--format=%s', 'HEAD').trim().split('\n'))
            .toEqual(['Roll back FarmOps from 0.4.0 to 0.2.0', '', 'D\t.factory/migrations/0.3.0.json', 'M\tfarm-ops.fspec']);
        expect(sandbox.git('tag', '--list', '--format=%(contents)', tag).trim())
            .toBe('Roll back FarmOps from 0.4.0 to 0.2.0\n\nFspec-Stage: juvenile\nFspec-Rollback: 0.4.0 -> 0.2.0');
        expect(sandbox.status()).toEqual(['?? notes.md']);
    });

    test('makes the restored version the baseline again until a newer version is grown after it', async () => {
        const { sandbox, repository } = await grownThrough('0.2.0', '0.3.0', '0.4.0');
        const spec = sandbox.path('farm-ops.fspec');
        await repository.recordRollback(rollbackTo020(sandbox, '0.4.0'));

        expect((await repository.versions('FarmOps')).map(v => [v.version, v.rolledBack])).toEqual([['0.4.0', true], ['0.3.0', true], ['0.2.0', false]]);
        expect(await repository.approvedText('FarmOps', spec)).toMatchObject({ tag: 'fspec/FarmOps/v0.2.0', version: '0.2.0', text: farmOpsAt('0.2.0') });
        const regrow = await refusal(grow(repository, sandbox, '0.3.0'));
        expect([regrow.reason, regrow.message]).toEqual(['tag-exists', 'Version 0.3.0 of FarmOps was approved and later rolled back (tag fspec/FarmOps/v0.3.0): raise the version to record new growth.']);

        await grow(repository, sandbox, '0.5.0');
        expect((await repository.versions('FarmOps')).map(v => [v.version, v.rolledBack])).toEqual([['0.5.0', false], ['0.4.0', true], ['0.3.0', true], ['0.2.0', false]]);
        expect((await repository.approvedText('FarmOps', spec))?.version).toBe('0.5.0');
    });

    test('counts only on the branch that has it, and is refused when the same rollback exists', async () => {
        const { sandbox, repository } = await grownThrough('0.2.0', '0.3.0');
        const spec = sandbox.path('farm-ops.fspec');
        sandbox.git('checkout', '--quiet', '-b', 'try-rollback');
        await repository.recordRollback(rollbackTo020(sandbox, '0.3.0'));
        expect((await repository.approvedText('FarmOps', spec))?.version).toBe('0.2.0');

        sandbox.git('checkout', '--quiet', 'main');
        expect((await repository.approvedText('FarmOps', spec))?.version).toBe('0.3.0');
        expect((await repository.versions('FarmOps')).map(v => v.rolledBack)).toEqual([false, false]);

        const head = sandbox.head();
        const again = await refusal(repository.recordRollback(rollbackTo020(sandbox, '0.3.0')));
        expect([again.reason, again.message]).toEqual(['tag-exists', 'FarmOps was already rolled back from 0.3.0 to 0.2.0 (tag fspec/FarmOps/rollback-0.3.0-to-0.2.0).']);
        expect(sandbox.head()).toBe(head);
    });

    test('moves the editor\'s baseline: the cached version store sees the rollback tag', async () => {
        const { sandbox, repository } = await grownThrough('0.2.0', '0.3.0');
        const store = new GitApprovedVersionStore(createFspecServices(NodeFileSystem).Fspec);
        const baseline = async () => (await store.find('FarmOps', URI.file(sandbox.path('farm-ops.fspec')).toString()))?.graph?.version;
        expect(await baseline()).toBe('0.3.0');
        await repository.recordRollback(rollbackTo020(sandbox, '0.3.0'));
        expect(await baseline()).toBe('0.2.0');
    });
});

test('a rollback message keeps its versions through the trailers', () => {
    const message = growthMessage({ message: 'Roll back FarmOps from 0.3.0 to 0.2.0-a', stage: 'juvenile_a', morphs: [], rollback: { from: '0.3.0', to: '0.2.0-a' } });
    expect(readGrowthMessage(message)).toEqual({ message: 'Roll back FarmOps from 0.3.0 to 0.2.0-a', stage: 'juvenile_a', morphs: [], rollback: { from: '0.3.0', to: '0.2.0-a' } });
    expect(readGrowthMessage(growthMessage({ message: 'Grow', morphs: ['add_field Contract.region'] }))).toEqual({ message: 'Grow', morphs: ['add_field Contract.region'] });
});

describe('replaceFiles', () => {
    test('writes and deletes files together', async () => {
        const folder = emptyFolder();
        fs.writeFileSync(path.join(folder, 'old.json'), '[]\n');
        await replaceFiles([{ file: path.join(folder, 'records', 'Contract.json'), text: '[1]\n' }, { file: path.join(folder, 'old.json'), text: undefined }]);
        expect(fs.readdirSync(folder, { recursive: true }).sort()).toEqual(['records', path.join('records', 'Contract.json')]);
        expect(fs.readFileSync(path.join(folder, 'records', 'Contract.json'), 'utf8')).toBe('[1]\n');
    });

    test('changes nothing when one file cannot be written', async () => {
        const folder = emptyFolder();
        fs.writeFileSync(path.join(folder, 'kept.json'), 'old\n');
        fs.writeFileSync(path.join(folder, 'doomed.json'), 'old\n');
        const changes = [
            { file: path.join(folder, 'kept.json'), text: 'new\n' },
            { file: path.join(folder, 'doomed.json'), text: undefined },
            // A folder cannot be made where a file is.
            { file: path.join(folder, 'kept.json', 'inner.json'), text: 'new\n' }
        ];
        await expect(replaceFiles(changes)).rejects.toThrow();
        expect(fs.readdirSync(folder).sort()).toEqual(['doomed.json', 'kept.json']);
        expect(fs.readFileSync(path.join(folder, 'kept.json'), 'utf8')).toBe('old\n');
    });
});
