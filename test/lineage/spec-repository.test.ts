import * as fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { LineageRefusal } from '../../language-server/src/lineage/lineage-refusal.js';
import { SpecRepository, type Growth } from '../../language-server/src/lineage/spec-repository.js';
import { emptyFolder, farmOps, farmOpsAt, Sandbox, withoutGitOnPath, withoutGlobalGitConfig } from './git-sandbox.js';

withoutGlobalGitConfig();

async function repositoryOf(sandbox: Sandbox): Promise<SpecRepository> {
    const opened = await SpecRepository.open(sandbox.path('farm-ops.fspec'));
    if (opened.kind !== 'repository') {
        throw new Error(`expected a repository, got ${opened.kind}`);
    }
    return opened.repository;
}

/** A growth of FarmOps to `version`, its text written to the spec file first. */
function grow(sandbox: Sandbox, version: string, extra: Partial<Growth> = {}): Growth {
    sandbox.write('farm-ops.fspec', farmOpsAt(version));
    return { specPath: sandbox.path('farm-ops.fspec'), specName: 'FarmOps', version, message: `Grow to ${version}`, morphs: [], files: [], ...extra };
}

async function refusal(promise: Promise<unknown>): Promise<LineageRefusal> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(LineageRefusal);
    return error as LineageRefusal;
}

describe('opening and creating a repository', () => {
    test('a folder git does not track is reported as such, so the caller can offer init', async () => {
        const folder = emptyFolder();
        expect(await SpecRepository.open(`${folder}/farm-ops.fspec`)).toEqual({ kind: 'not-a-repository', folder });
    });

    test('without git on the PATH, open says to install git, and init refuses with the same message', async () => {
        const folder = emptyFolder();
        const opened = await withoutGitOnPath(() => SpecRepository.open(`${folder}/farm-ops.fspec`));
        expect(opened).toEqual({ kind: 'git-missing', message: expect.stringMatching(/^git was not found: install git/) });
        const refused = await withoutGitOnPath(() => refusal(SpecRepository.init(folder)));
        expect(refused.reason).toBe('git-missing');
        expect(fs.existsSync(`${folder}/.git`)).toBe(false);
    });

    test('init makes one empty commit by the crew and leaves the folder\'s files uncommitted', async () => {
        const sandbox = new Sandbox();
        sandbox.write('farm-ops.fspec', farmOps);
        const repository = await SpecRepository.init(sandbox.folder);
        expect(repository.root).toBe(sandbox.folder);
        expect(sandbox.git('log', '--format=%an <%ae>|%s', '--name-only').trim()).toBe('Factory crew <crew@factory.local>|Start the lineage');
        expect(sandbox.status()).toEqual(['?? farm-ops.fspec']);
        expect((await refusal(SpecRepository.init(sandbox.folder))).reason).toBe('already-a-repository');
    });
});

describe('recording growth', () => {
    test('one commit of exactly the spec and its artifacts; other staged and modified files stay as they were', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps, 'notes.md': 'notes\n' });
        sandbox.write('notes.md', 'edited notes\n');
        sandbox.write('staged.txt', 'staged\n');
        sandbox.git('add', 'staged.txt');
        sandbox.write('out/farm-ops.mmd', 'graph TD\n');
        const before = sandbox.head();

        const repository = await repositoryOf(sandbox);
        const growth = grow(sandbox, '0.3.0', { stage: 'adult', morphs: ['add_source contracts_feed', 'insert_gate phi_gate'], files: [sandbox.path('out/farm-ops.mmd')] });
        const recorded = await repository.recordGrowth(growth);

        expect(recorded.tag).toBe('fspec/FarmOps/v0.3.0');
        expect(sandbox.git('rev-parse', 'HEAD^').trim()).toBe(before);
        expect(sandbox.git('show', '--name-only', '--format=%an|%s', 'HEAD').trim().split('\n')).toEqual(['Factory crew|Grow to 0.3.0', '', 'farm-ops.fspec', 'out/farm-ops.mmd']);
        expect(sandbox.status()).toEqual([' M notes.md', 'A  staged.txt']);
        expect(sandbox.git('cat-file', '-t', recorded.tag).trim()).toBe('tag');
        expect(sandbox.git('rev-parse', `${recorded.tag}^{commit}`).trim()).toBe(recorded.commit);
        expect(sandbox.git('tag', '--list', '--format=%(contents)', recorded.tag).trim())
            .toBe('Grow to 0.3.0\n\nFspec-Stage: adult\nFspec-Morph: add_source contracts_feed\nFspec-Morph: insert_gate phi_gate');
    });

    test('an existing tag is refused and HEAD, the index and the working tree stay as they were', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps });
        const repository = await repositoryOf(sandbox);
        await repository.recordGrowth(grow(sandbox, '0.3.0'));
        const head = sandbox.head();
        const again = { ...grow(sandbox, '0.3.0'), message: 'Again' };
        sandbox.write('farm-ops.fspec', `${farmOpsAt('0.3.0')}// more\n`);

        const refused = await refusal(repository.recordGrowth(again));
        expect(refused.reason).toBe('tag-exists');
        expect(refused.message).toContain('fspec/FarmOps/v0.3.0');
        expect(sandbox.head()).toBe(head);
        expect(sandbox.status()).toEqual([' M farm-ops.fspec']);
    });

    test('when tagging fails after the commit, the commit is undone and the index restored', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps });
        const repository = await repositoryOf(sandbox);
        const head = sandbox.head();
        sandbox.write('out/farm-ops.mmd', 'graph TD\n');
        const growth = { ...grow(sandbox, '0.3.0'), files: [sandbox.path('out/farm-ops.mmd')] };
        // Part of the spec's change is staged, part is not.
        sandbox.git('add', 'farm-ops.fspec');
        sandbox.write('farm-ops.fspec', `${farmOpsAt('0.3.0')}// later\n`);
        // Another git process holding the tag's lock makes `git tag` fail.
        const lock = sandbox.path('.git/refs/tags/fspec/FarmOps/v0.3.0.lock');
        sandbox.write('.git/refs/tags/fspec/FarmOps/v0.3.0.lock', '');

        await expect(repository.recordGrowth(growth)).rejects.toThrow(/lock/);
        expect(sandbox.head()).toBe(head);
        expect(sandbox.status()).toEqual(['?? out/farm-ops.mmd', 'MM farm-ops.fspec']);
        expect(sandbox.git('show', ':farm-ops.fspec')).toBe(farmOpsAt('0.3.0'));
        expect(sandbox.git('tag', '--list').trim()).toBe('');

        fs.unlinkSync(lock);
        await repository.recordGrowth(growth);
        expect(sandbox.git('rev-parse', 'HEAD^').trim()).toBe(head);
    });

    test('a detached HEAD, an unfinished merge and a file outside the repository are refused', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps });
        const repository = await repositoryOf(sandbox);
        const outside = `${emptyFolder()}/farm-ops.mmd`;
        fs.writeFileSync(outside, 'graph TD\n');
        expect((await refusal(repository.recordGrowth({ ...grow(sandbox, '0.3.0'), files: [outside] }))).reason).toBe('outside-repository');
        expect((await refusal(repository.recordGrowth(grow(sandbox, 'v0.3')))).reason).toBe('invalid-version');

        sandbox.git('checkout', '--quiet', 'farm-ops.fspec');
        sandbox.git('checkout', '--quiet', '--detach');
        expect((await refusal(repository.recordGrowth(grow(sandbox, '0.3.0')))).reason).toBe('detached-head');

        sandbox.git('checkout', '--quiet', '--force', 'main');
        sandbox.git('checkout', '--quiet', '-b', 'other');
        sandbox.write('farm-ops.fspec', farmOpsAt('9.0.0'));
        sandbox.git('commit', '--quiet', '-am', 'Other');
        sandbox.git('checkout', '--quiet', 'main');
        sandbox.write('farm-ops.fspec', farmOpsAt('8.0.0'));
        sandbox.git('commit', '--quiet', '-am', 'Main');
        expect(() => sandbox.git('merge', 'other')).toThrow();
        const head = sandbox.head();
        expect((await refusal(repository.recordGrowth(grow(sandbox, '0.3.0')))).reason).toBe('operation-in-progress');
        expect(sandbox.head()).toBe(head);
        expect(sandbox.git('tag', '--list').trim()).toBe('');
    });
});

describe('reading the lineage', () => {
    test('versions are numbered, newest first, with their stage and morphs; approvedText is the newest reachable one', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps });
        const repository = await repositoryOf(sandbox);
        expect(await repository.approvedText('FarmOps', sandbox.path('farm-ops.fspec'))).toBeUndefined();
        await repository.recordGrowth(grow(sandbox, '0.9.0', { stage: 'juvenile' }));
        await repository.recordGrowth(grow(sandbox, '0.10.0', { stage: 'adult', morphs: ['add_surface buyer_portal'] }));
        sandbox.write('farm-ops.fspec', farmOpsAt('0.11.0'));

        const versions = await repository.versions('FarmOps');
        expect(versions.map(v => [v.version, v.tag, v.stage, v.morphs, v.message, v.reachable])).toEqual([
            ['0.10.0', 'fspec/FarmOps/v0.10.0', 'adult', ['add_surface buyer_portal'], 'Grow to 0.10.0', true],
            ['0.9.0', 'fspec/FarmOps/v0.9.0', 'juvenile', [], 'Grow to 0.9.0', true]
        ]);
        expect(versions[0]!.commit).toBe(sandbox.head());
        expect(Date.parse(versions[0]!.date)).not.toBeNaN();
        expect(await repository.approvedText('FarmOps', sandbox.path('farm-ops.fspec')))
            .toEqual({ tag: 'fspec/FarmOps/v0.10.0', version: '0.10.0', path: 'farm-ops.fspec', text: farmOpsAt('0.10.0') });
        expect(await repository.fileAt('FarmOps', '0.9.0', sandbox.path('farm-ops.fspec'))).toBe(farmOpsAt('0.9.0'));
        expect(await repository.fileAt('FarmOps', '0.9.0', sandbox.path('missing.fspec'))).toBeUndefined();
        expect((await refusal(repository.fileAt('FarmOps', '0.1.0', sandbox.path('farm-ops.fspec')))).reason).toBe('unknown-version');
    });

    test('a variant branch starts at a version and is checked out; its versions are not reachable from main', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps });
        const repository = await repositoryOf(sandbox);
        const { commit } = await repository.recordGrowth(grow(sandbox, '0.2.0'));
        await repository.recordGrowth(grow(sandbox, '0.3.0'));

        expect(await repository.startVariant('FarmOps', 'juvenile_a', '0.2.0')).toEqual({ branch: 'fspec/FarmOps/juvenile_a', version: '0.2.0', commit });
        expect(sandbox.git('branch', '--show-current').trim()).toBe('fspec/FarmOps/juvenile_a');
        expect(fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8')).toBe(farmOpsAt('0.2.0'));
        expect(await repository.currentVariant('FarmOps')).toBe('juvenile_a');
        expect((await refusal(repository.startVariant('FarmOps', 'juvenile_a', '0.2.0'))).reason).toBe('branch-exists');
        expect((await refusal(repository.startVariant('FarmOps', 'juvenile_b', '0.1.0'))).reason).toBe('unknown-version');
        expect((await refusal(repository.startVariant('FarmOps', 'north-coast', '0.2.0'))).reason).toBe('invalid-variant');

        await repository.recordGrowth(grow(sandbox, '0.3.0-juvenile_a'));
        expect((await repository.approvedText('FarmOps', sandbox.path('farm-ops.fspec')))?.version).toBe('0.3.0-juvenile_a');
        sandbox.git('checkout', '--quiet', 'main');
        expect(await repository.currentVariant('FarmOps')).toBeUndefined();
        expect(await repository.variants('FarmOps')).toEqual([{ name: 'juvenile_a', branch: 'fspec/FarmOps/juvenile_a', current: false }]);
        expect((await repository.versions('FarmOps')).map(v => `${v.version}${v.reachable ? '' : ' (not on HEAD)'}`))
            .toEqual(['0.3.0-juvenile_a (not on HEAD)', '0.3.0', '0.2.0']);
        expect((await repository.approvedText('FarmOps', sandbox.path('farm-ops.fspec')))?.version).toBe('0.3.0');
    });

    test('a variant starts at the approved baseline by default; git refusing the checkout changes nothing', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps });
        const repository = await repositoryOf(sandbox);
        expect((await refusal(repository.startVariant('FarmOps', 'coastal'))).message).toMatch(/no approved version to start a variant from/);
        await repository.recordGrowth(grow(sandbox, '0.2.0'));
        await repository.recordGrowth(grow(sandbox, '0.3.0'));
        sandbox.write('farm-ops.fspec', farmOpsAt('0.3.0') + '// an edit in progress\n');

        // From 0.2.0 the checkout would overwrite the uncommitted edit of the spec.
        const refused = await refusal(repository.startVariant('FarmOps', 'coastal', '0.2.0'));
        expect(refused.reason).toBe('checkout-refused');
        expect(sandbox.git('branch', '--list', 'fspec/*').trim()).toBe('');
        expect(fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8')).toBe(farmOpsAt('0.3.0') + '// an edit in progress\n');

        // From the baseline (HEAD) nothing is overwritten: the edit comes along.
        expect((await repository.startVariant('FarmOps', 'coastal')).version).toBe('0.3.0');
        expect(sandbox.git('branch', '--show-current').trim()).toBe('fspec/FarmOps/coastal');
        expect(fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8')).toBe(farmOpsAt('0.3.0') + '// an edit in progress\n');
    });

    test('a deployed version is marked by a tag on its commit; the newest deployed one HEAD descends from is current', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps });
        const repository = await repositoryOf(sandbox);
        expect(await repository.deployed('FarmOps')).toBeUndefined();
        const { commit } = await repository.recordGrowth(grow(sandbox, '0.2.0'));
        await repository.recordGrowth(grow(sandbox, '0.3.0'));
        const head = sandbox.head();

        expect(await repository.markDeployed('FarmOps', '0.2.0', 'Deployed 0.2.0: 3 acceptance tests passed')).toEqual({ version: '0.2.0', tag: 'fspec/FarmOps/deployed/v0.2.0', commit });
        expect(await repository.deployed('FarmOps')).toEqual({ version: '0.2.0', tag: 'fspec/FarmOps/deployed/v0.2.0', commit });
        expect(sandbox.git('tag', '--list', '--format=%(contents:subject)', 'fspec/FarmOps/deployed/*').trim()).toBe('Deployed 0.2.0: 3 acceptance tests passed');
        // Marking adds a tag, never a commit.
        expect(sandbox.head()).toBe(head);
        expect((await refusal(repository.markDeployed('FarmOps', '0.2.0', 'again'))).reason).toBe('tag-exists');
        expect((await refusal(repository.markDeployed('FarmOps', '0.9.0', 'unknown'))).reason).toBe('unknown-version');
        // Deployed versions are not approved versions: the lineage's versions are unchanged.
        expect((await repository.versions('FarmOps')).map(v => v.tag)).toEqual(['fspec/FarmOps/v0.3.0', 'fspec/FarmOps/v0.2.0']);

        await repository.markDeployed('FarmOps', '0.3.0', 'Deployed 0.3.0');
        expect((await repository.deployed('FarmOps'))?.version).toBe('0.3.0');

        // Deploying 0.2.0 again (after a rollback, say) makes it the deployed one: the last deploy counts, not the highest version.
        await repository.markDeployed('FarmOps', '0.2.0', 'Deployed 0.2.0 again');
        expect(await repository.deployed('FarmOps')).toEqual({ version: '0.2.0', tag: 'fspec/FarmOps/deployed/v0.2.0', commit });
        expect(sandbox.git('tag', '--list', '--format=%(contents:subject)', 'fspec/FarmOps/deployed/v0.2.0').trim()).toBe('Deployed 0.2.0 again');
        expect((await refusal(repository.markDeployed('FarmOps', '0.2.0', 'and again'))).reason).toBe('tag-exists');
    });

    test('dirtyFiles tells which of the given files are modified, staged or untracked, and ignores the rest', async () => {
        const sandbox = Sandbox.withCommit({ 'farm-ops.fspec': farmOps, 'notes.md': 'notes\n', 'clean.txt': 'clean\n' });
        const repository = await repositoryOf(sandbox);
        sandbox.write('farm-ops.fspec', farmOpsAt('0.3.0'));
        sandbox.write('notes.md', 'staged notes\n');
        sandbox.git('add', 'notes.md');
        sandbox.write('out/new.mmd', 'graph TD\n');
        sandbox.write('other.txt', 'not asked about\n');

        const asked = ['farm-ops.fspec', 'notes.md', 'clean.txt', 'out/new.mmd'].map(file => sandbox.path(file));
        expect(await repository.dirtyFiles(asked)).toEqual([
            { path: sandbox.path('farm-ops.fspec'), staged: false, modified: true, untracked: false },
            { path: sandbox.path('notes.md'), staged: true, modified: false, untracked: false },
            { path: sandbox.path('out/new.mmd'), staged: false, modified: false, untracked: true }
        ]);
        expect(await repository.dirtyFiles([sandbox.path('clean.txt')])).toEqual([]);
    });
});
