import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import { readStatus, type ApprovedTag, type DirtyFile } from './git-output.js';
import { growthMessage } from './growth-message.js';
import { commitAndTag } from './lineage-commits.js';
import { gitMissingMessage, LineageRefusal } from './lineage-refusal.js';
import { RepositoryGit } from './repository-git.js';
import { findRepositoryRoot, refsStamp } from './repository-paths.js';
import type { ApprovedText, Deployment, Growth, Rollback, Variant } from './lineage-records.js';
import { approvedTag, rolledBackTags, versionTags } from './version-tags.js';
import { compareVersions, deployedTag, deployedTagPattern, isTaggableVersion, isVariantName, rollbackTag, variantBranch, variantOfBranch, versionOfDeployedTag, versionTag } from './versions.js';

export type { ApprovedText, Deployment, Growth, Rollback, Variant } from './lineage-records.js';

/** What `open` found: a repository, a folder git does not track (offer `init`), or no git at all. */
export type OpenedRepository =
    | { kind: 'repository', repository: SpecRepository }
    | { kind: 'not-a-repository', folder: string }
    | { kind: 'git-missing', message: string };

/** The trailer of a deployed tag saying when the version was deployed (ISO time, to the millisecond). */
const DEPLOYED_AT = 'Fspec-Deployed-At';

/**
 * The git repository holding a spec: its lineage of approved versions (annotated tags), variants
 * (branches `fspec/<SpecName>/<variant>`) and the growth commits the Historian records. Git runs
 * through simple-git, which keeps ambient GIT_* variables away from the processes it starts.
 */
export class SpecRepository {
    private constructor(private readonly git: RepositoryGit) {}

    /** The work tree's root, a real path. */
    get root(): string {
        return this.git.root;
    }

    /** The repository holding the spec file at `specPath` (which need not exist yet). */
    static open(specPath: string): Promise<OpenedRepository> {
        return SpecRepository.openFolder(path.dirname(path.resolve(specPath)));
    }

    private static async openFolder(folder: string): Promise<OpenedRepository> {
        // A spec that exists only in an editor (its folder gone, or never on disk) has no repository.
        if (!fs.existsSync(folder)) {
            return { kind: 'not-a-repository', folder };
        }
        const git = simpleGit({ baseDir: folder });
        if (!(await git.version()).installed) {
            return { kind: 'git-missing', message: gitMissingMessage };
        }
        // Found the way git finds it, but without reading git's localized error messages.
        if (!(await findRepositoryRoot(folder))) {
            return { kind: 'not-a-repository', folder };
        }
        const [root, gitDir, commonDir] = (await git.raw(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir'])).split('\n');
        const repositoryGit = new RepositoryGit(simpleGit({ baseDir: root! }), root!, gitDir!, path.resolve(folder, commonDir!));
        return { kind: 'repository', repository: new SpecRepository(repositoryGit) };
    }

    /**
     * Makes `folder` a repository whose first commit is empty: nothing of the user's is committed
     * before it is reviewed, yet HEAD is a commit that growth commits, tags and variants build on.
     */
    static async init(folder: string): Promise<SpecRepository> {
        const git = simpleGit({ baseDir: folder });
        if (!(await git.version()).installed) {
            throw new LineageRefusal('git-missing', gitMissingMessage);
        }
        const existing = await findRepositoryRoot(folder);
        if (existing) {
            throw new LineageRefusal('already-a-repository', `${folder} is already in the git repository at ${existing}.`);
        }
        await git.raw(['init', '--quiet']);
        const opened = await SpecRepository.openFolder(folder);
        if (opened.kind !== 'repository') {
            throw new Error(`git init did not make ${folder} a repository`);
        }
        const { repository } = opened;
        await repository.git.raw([...await repository.git.identity(), 'commit', '--quiet', '--allow-empty', '-m', 'Start the lineage']);
        return repository;
    }

    /**
     * Records an approved growth: one commit of exactly the spec and `files`, then the annotated tag
     * `fspec/<SpecName>/v<version>` on it. The commit is made even when the files are unchanged, so
     * every version has its own commit and message. Refuses, changing nothing, when the tag exists,
     * a merge or rebase is unfinished, HEAD is detached (the growth would be on no branch) or a file is
     * outside the repository. When git fails midway, the branch and the index are put back as they were.
     */
    async recordGrowth(growth: Growth): Promise<{ tag: string, commit: string }> {
        const tag = versionTag(growth.specName, growth.version);
        if (!isTaggableVersion(growth.version)) {
            throw new LineageRefusal('invalid-version', `Version "${growth.version}" cannot name a tag: use numbers separated by dots, optionally with a -suffix (0.3.0, 0.2.0-a).`);
        }
        if (await this.git.refExists(`refs/tags/${tag}`)) {
            const state = (await rolledBackTags(this.git, growth.specName)).has(tag) ? 'was approved and later rolled back' : 'is already approved';
            throw new LineageRefusal('tag-exists', `Version ${growth.version} of ${growth.specName} ${state} (tag ${tag}): raise the version to record new growth.`);
        }
        return commitAndTag(this.git, 'growth', [growth.specPath, ...growth.files], tag, growthMessage(growth));
    }

    /**
     * Records a rollback as growth is recorded: one commit of exactly the spec and `files` (deleted
     * ones included), tagged `fspec/<SpecName>/rollback-<from>-to-<to>`. From then on the versions
     * newer than `to` that the commit descends from are rolled back: `to` is the approved baseline again.
     */
    async recordRollback(rollback: Rollback): Promise<{ tag: string, commit: string }> {
        const tag = rollbackTag(rollback.specName, rollback.from, rollback.to);
        if (await this.git.refExists(`refs/tags/${tag}`)) {
            throw new LineageRefusal('tag-exists', `${rollback.specName} was already rolled back from ${rollback.from} to ${rollback.to} (tag ${tag}).`);
        }
        const message = growthMessage({ message: rollback.message, stage: rollback.stage, morphs: [], rollback });
        return commitAndTag(this.git, 'a rollback', [rollback.specPath, ...rollback.files], tag, message);
    }

    /**
     * Starts the variant `name`: creates the branch `fspec/<SpecName>/<name>` at an approved version
     * (by default the approved baseline) and checks it out, so the growths that follow are the
     * variant's. Git refuses the checkout, changing nothing, when it would overwrite uncommitted edits.
     */
    async startVariant(specName: string, name: string, fromVersion?: string): Promise<{ branch: string, version: string, commit: string }> {
        if (!isVariantName(name)) {
            throw new LineageRefusal('invalid-variant', `"${name}" cannot name a variant: use a letter, then letters, digits or underscores (coastal, juvenile_a).`);
        }
        const version = fromVersion ?? (await approvedTag(this.git, specName))?.version;
        if (!version) {
            throw new LineageRefusal('unknown-version', `${specName} has no approved version to start a variant from: grow and approve it first.`);
        }
        const commit = await this.approvedCommit(specName, version);
        const branch = variantBranch(specName, name);
        if (await this.git.refExists(`refs/heads/${branch}`)) {
            throw new LineageRefusal('branch-exists', `The variant ${name} of ${specName} exists already (branch ${branch}): check it out to grow it.`);
        }
        try {
            await this.git.raw(['checkout', '--quiet', '-b', branch, commit]);
        } catch (error) {
            throw new LineageRefusal('checkout-refused', `Git would not check out the variant branch ${branch}, so nothing changed: ${error instanceof Error ? error.message.trim() : String(error)}`);
        }
        return { branch, version, commit };
    }

    /** The spec's variant branches; `current` marks the one HEAD is on. */
    async variants(specName: string): Promise<Variant[]> {
        const head = await this.git.headBranch();
        const refs = await this.git.raw(['for-each-ref', '--format=%(refname)', `refs/heads/${variantBranch(specName, '')}`]);
        return refs.split('\n').flatMap(ref => {
            const name = variantOfBranch(specName, ref);
            return name ? [{ name, branch: variantBranch(specName, name), current: ref === head }] : [];
        });
    }

    /** The variant HEAD is on; undefined on any other branch. */
    async currentVariant(specName: string): Promise<string | undefined> {
        const head = await this.git.headBranch();
        return head ? variantOfBranch(specName, head) : undefined;
    }

    /** All approved versions of the spec, newest first; `reachable` tells those HEAD descends from. */
    async versions(specName: string): Promise<ApprovedTag[]> {
        return versionTags(this.git, specName);
    }

    /**
     * The spec file's text at the newest approved version HEAD descends from that no rollback went
     * back past; undefined when there is none or the file is not in it.
     */
    async approvedText(specName: string, specPath: string): Promise<ApprovedText | undefined> {
        const latest = await approvedTag(this.git, specName);
        if (!latest) {
            return undefined;
        }
        const file = await this.git.repoPath(specPath);
        const text = await this.git.blobAt(latest.tag, file);
        return text === undefined ? undefined : { ...latest, path: file, text };
    }

    /** A file's text at an approved version, for rollback; undefined when the version does not have the file. */
    async fileAt(specName: string, version: string, file: string): Promise<string | undefined> {
        return this.git.blobAt(await this.approvedCommit(specName, version), await this.git.repoPath(file));
    }

    /** The files under `folder` at an approved version, by their path relative to it (`/`-separated), with their texts; for rollback. */
    async filesAt(specName: string, version: string, folder: string): Promise<Map<string, string>> {
        const commit = await this.approvedCommit(specName, version);
        const prefix = await this.git.repoPath(folder);
        const names = (await this.git.raw(['ls-tree', '-r', '-z', '--name-only', commit, '--', prefix])).split('\0').filter(Boolean);
        const texts = await Promise.all(names.map(async name => [name.slice(prefix.length + 1), await this.git.blobAt(commit, name) ?? ''] as const));
        return new Map(texts);
    }

    /** Which of `files` have uncommitted changes: staged, modified in the working tree, or untracked. */
    async dirtyFiles(files: string[]): Promise<DirtyFile[]> {
        if (files.length === 0) {
            return [];
        }
        const paths = await Promise.all(files.map(file => this.git.repoPath(file)));
        return readStatus(this.root, await this.git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths]));
    }

    /**
     * Marks an approved version deployed: the annotated tag `fspec/<SpecName>/deployed/v<version>` on
     * its commit, with `message` (what was checked). Refuses an unknown or already deployed version.
     */
    async markDeployed(specName: string, version: string, message: string): Promise<Deployment> {
        const commit = await this.approvedCommit(specName, version);
        const tag = deployedTag(specName, version);
        if ((await this.deployed(specName))?.version === version) {
            throw new LineageRefusal('tag-exists', `Version ${version} of ${specName} is deployed already (tag ${tag}).`);
        }
        // Deployed again after another version (a rollback, say): the tag moves to say when.
        await this.git.raw([...await this.git.identity(), 'tag', '--force', '--annotate', '--cleanup=whitespace',
            '-m', `${message}\n\n${DEPLOYED_AT}: ${new Date().toISOString()}`, tag, commit]);
        return { version, tag, commit };
    }

    /** The version deployed last among those HEAD descends from; undefined when none is. */
    async deployed(specName: string): Promise<Deployment | undefined> {
        if (!(await this.git.headCommit())) {
            return undefined;
        }
        const listing = await this.git.raw(['for-each-ref', '--merged', 'HEAD',
            `--format=%(refname:lstrip=2)%09%(*objectname)%09%(contents:trailers:key=${DEPLOYED_AT},valueonly,separator=)`,
            `refs/tags/${deployedTagPattern(specName)}`]);
        return listing.split('\n').flatMap(line => {
            const [tag = '', commit = '', at = ''] = line.split('\t');
            const version = versionOfDeployedTag(specName, tag);
            return version ? [{ deployment: { version, tag, commit }, at }] : [];
        }).sort((a, b) => b.at.localeCompare(a.at) || compareVersions(b.deployment.version, a.deployment.version))[0]?.deployment;
    }

    /** The commit an approved version's tag is on; refuses a version with no tag. */
    private async approvedCommit(specName: string, version: string): Promise<string> {
        const tag = versionTag(specName, version);
        const commit = (await this.git.raw(['rev-parse', '--quiet', '--verify', `refs/tags/${tag}^{commit}`])).trim();
        if (!commit) {
            throw new LineageRefusal('unknown-version', `${specName} has no approved version ${version} (no tag ${tag}).`);
        }
        return commit;
    }

    /**
     * A fingerprint of what decides the spec's latest reachable approved version; stat calls only,
     * no git process, so it is cheap enough to check on every validation.
     */
    refsStamp(specName: string): Promise<string> {
        return refsStamp(this.git.gitDir, this.git.commonDir, specName);
    }
}
