import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { readIndexEntries, readRollbackListing, readStatus, readTagListing, tagListingFormat, type ApprovedTag, type DirtyFile, type IndexEntry } from './git-output.js';
import { growthMessage } from './growth-message.js';
import { gitMissingMessage, LineageRefusal } from './lineage-refusal.js';
import { findRepositoryRoot, realPathOf, refsStamp, unfinishedOperation } from './repository-paths.js';
import { compareVersions, isTaggableVersion, rollbackTag, rollbackTagPattern, variantBranch, versionOfTag, versionTag, versionTagPattern } from './versions.js';

/** What `open` found: a repository, a folder git does not track (offer `init`), or no git at all. */
export type OpenedRepository =
    | { kind: 'repository', repository: SpecRepository }
    | { kind: 'not-a-repository', folder: string }
    | { kind: 'git-missing', message: string };

/** One approved growth of a spec, to record with `recordGrowth`. */
export interface Growth {
    specPath: string;
    specName: string;
    /** The version the spec header now says, such as `0.3.0` or `0.2.0-a`; it names the tag. */
    version: string;
    /** The lineage stage the spec is at after this growth. */
    stage?: string;
    /** The Historian's message; its first line is the commit's subject. */
    message: string;
    /** Applied morphs as written in the lineage section: `add_source contracts_feed`. */
    morphs: string[];
    /** Generated artifacts committed along with the spec. */
    files: string[];
}

/** A rollback to record with `recordRollback`: the spec and every file it restored, changed or deleted. */
export interface Rollback {
    specPath: string;
    specName: string;
    /** The version rolled back from, and the approved version restored. */
    from: string;
    to: string;
    /** The lineage stage of the restored version. */
    stage?: string;
    message: string;
    files: string[];
}

/** The spec's text at its latest approved version. */
export interface ApprovedText {
    tag: string;
    version: string;
    /** The spec file relative to the repository root, `/`-separated. */
    path: string;
    text: string;
}

/** Who commits and tags when git has no identity configured (a fresh machine, CI). */
const crewIdentity = { 'user.name': 'Factory crew', 'user.email': 'crew@factory.local' };

/**
 * The git repository holding a spec: its lineage of approved versions (annotated tags), variants
 * (branches) and the growth commits the Historian records. Git runs through simple-git, which keeps
 * ambient GIT_* variables away from the processes it starts.
 */
export class SpecRepository {
    private constructor(
        private readonly git: SimpleGit,
        /** The work tree's root, a real path. */
        readonly root: string,
        /** This work tree's git folder: HEAD and unfinished operations. */
        private readonly gitDir: string,
        /** The folder shared by all work trees: refs and packed-refs. */
        private readonly commonDir: string
    ) {}

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
        return { kind: 'repository', repository: new SpecRepository(simpleGit({ baseDir: root! }), root!, gitDir!, path.resolve(folder, commonDir!)) };
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
        await repository.git.raw([...await repository.identity(), 'commit', '--quiet', '--allow-empty', '-m', 'Start the lineage']);
        return repository;
    }

    /**
     * Records an approved growth: one commit of exactly the spec and `files` (`git commit -- <paths>`,
     * so whatever else is staged or modified stays so), then the annotated tag
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
        if (await this.refExists(`refs/tags/${tag}`)) {
            const state = (await this.rolledBackTags(growth.specName)).has(tag) ? 'was approved and later rolled back' : 'is already approved';
            throw new LineageRefusal('tag-exists', `Version ${growth.version} of ${growth.specName} ${state} (tag ${tag}): raise the version to record new growth.`);
        }
        return this.commitAndTag('growth', [growth.specPath, ...growth.files], tag, growthMessage(growth));
    }

    /**
     * Records a rollback as growth is recorded: one commit of exactly the spec and `files` (deleted
     * ones included), tagged `fspec/<SpecName>/rollback-<from>-to-<to>`. From then on the versions
     * newer than `to` that the commit descends from are rolled back: `to` is the approved baseline again.
     */
    async recordRollback(rollback: Rollback): Promise<{ tag: string, commit: string }> {
        const tag = rollbackTag(rollback.specName, rollback.from, rollback.to);
        if (await this.refExists(`refs/tags/${tag}`)) {
            throw new LineageRefusal('tag-exists', `${rollback.specName} was already rolled back from ${rollback.from} to ${rollback.to} (tag ${tag}).`);
        }
        const message = growthMessage({ message: rollback.message, stage: rollback.stage, morphs: [], rollback });
        return this.commitAndTag('a rollback', [rollback.specPath, ...rollback.files], tag, message);
    }

    /** Commits exactly `files` with `message` and tags the commit; when git fails midway, the branch and index are put back. */
    private async commitAndTag(what: string, files: string[], tag: string, message: string): Promise<{ tag: string, commit: string }> {
        const paths = [...new Set(await Promise.all(files.map(file => this.repoPath(file))))];
        const branch = await this.refuseToCommit(what);
        const previous = await this.headCommit();
        const index = readIndexEntries(await this.git.raw(['ls-files', '--stage', '-z', '--', ...paths]));
        const identity = await this.identity();
        let commit: string | undefined;
        try {
            // New files must be known to git before a commit limited to paths can include them (`add` stages deletions too).
            await this.git.raw(['add', '--', ...paths]);
            await this.git.raw([...identity, 'commit', '--quiet', '--allow-empty', '--cleanup=whitespace', '-m', message, '--', ...paths]);
            commit = (await this.git.raw(['rev-parse', 'HEAD'])).trim();
            await this.git.raw([...identity, 'tag', '--annotate', '--cleanup=whitespace', '-m', message, tag, commit]);
            return { tag, commit };
        } catch (error) {
            await this.undoGrowth(branch, previous, commit, paths, index);
            throw error;
        }
    }

    /**
     * Creates the branch `fspec/<SpecName>/<variant>` at an approved version. It is not checked out:
     * switching would rewrite the working tree under open editors; the user switches when ready.
     */
    async startVariant(specName: string, variant: string, fromVersion: string): Promise<{ branch: string, commit: string }> {
        const tag = versionTag(specName, fromVersion);
        const branch = variantBranch(specName, variant);
        if (!(await this.refExists(`refs/tags/${tag}`))) {
            throw new LineageRefusal('unknown-version', `${specName} has no approved version ${fromVersion} (no tag ${tag}).`);
        }
        if (await this.refExists(`refs/heads/${branch}`)) {
            throw new LineageRefusal('branch-exists', `The variant ${variant} of ${specName} exists already (branch ${branch}).`);
        }
        const commit = (await this.git.raw(['rev-parse', '--verify', `refs/tags/${tag}^{commit}`])).trim();
        await this.git.raw(['branch', branch, commit]);
        return { branch, commit };
    }

    /** All approved versions of the spec, newest first; `reachable` tells those HEAD descends from. */
    async versions(specName: string): Promise<ApprovedTag[]> {
        const listing = await this.git.raw(['for-each-ref', tagListingFormat, `refs/tags/${versionTagPattern(specName)}`]);
        return readTagListing(specName, listing, new Set(await this.reachableTags(specName)), await this.rolledBackTags(specName));
    }

    /**
     * The spec file's text at the newest approved version HEAD descends from that no rollback went
     * back past; undefined when there is none or the file is not in it.
     */
    async approvedText(specName: string, specPath: string): Promise<ApprovedText | undefined> {
        const rolledBack = await this.rolledBackTags(specName);
        const [latest] = (await this.reachableTags(specName))
            .filter(tag => !rolledBack.has(tag))
            .map(tag => ({ tag, version: versionOfTag(specName, tag)! }))
            .sort((a, b) => compareVersions(b.version, a.version));
        if (!latest) {
            return undefined;
        }
        const file = await this.repoPath(specPath);
        const text = await this.blobAt(latest.tag, file);
        return text === undefined ? undefined : { ...latest, path: file, text };
    }

    /** A file's text at an approved version, for rollback; undefined when the version does not have the file. */
    async fileAt(specName: string, version: string, file: string): Promise<string | undefined> {
        const tag = versionTag(specName, version);
        if (!(await this.refExists(`refs/tags/${tag}`))) {
            throw new LineageRefusal('unknown-version', `${specName} has no approved version ${version} (no tag ${tag}).`);
        }
        return this.blobAt(tag, await this.repoPath(file));
    }

    /** Which of `files` have uncommitted changes: staged, modified in the working tree, or untracked. */
    async dirtyFiles(files: string[]): Promise<DirtyFile[]> {
        if (files.length === 0) {
            return [];
        }
        const paths = await Promise.all(files.map(file => this.repoPath(file)));
        return readStatus(this.root, await this.git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths]));
    }

    /**
     * A fingerprint of what decides the spec's latest reachable approved version; stat calls only,
     * no git process, so it is cheap enough to check on every validation.
     */
    refsStamp(specName: string): Promise<string> {
        return refsStamp(this.gitDir, this.commonDir, specName);
    }

    /** Refuses a commit (of `what`: growth, a rollback) that could not be recorded cleanly; returns the branch HEAD is on. */
    private async refuseToCommit(what: string): Promise<string> {
        const operation = await unfinishedOperation(this.gitDir);
        if (operation) {
            throw new LineageRefusal('operation-in-progress', `A ${operation} is in progress: finish or abort it before recording ${what}.`);
        }
        const branch = (await this.git.raw(['symbolic-ref', '--quiet', 'HEAD'])).trim();
        if (!branch) {
            throw new LineageRefusal('detached-head', `HEAD is detached: check out the spec's branch or a variant branch before recording ${what}, so it is on a branch.`);
        }
        return branch;
    }

    /** Moves the branch back to where it was and restores the index entries of `paths` to `index`. */
    private async undoGrowth(branch: string, previous: string | undefined, commit: string | undefined, paths: string[], index: IndexEntry[]): Promise<void> {
        if (commit) {
            await this.git.raw(previous ? ['update-ref', branch, previous, commit] : ['update-ref', '-d', branch, commit]);
        }
        await this.git.raw(['update-index', '--force-remove', '--', ...paths]);
        if (index.length) {
            await this.git.raw(['update-index', '--add', ...index.flatMap(entry => ['--cacheinfo', `${entry.mode},${entry.object},${entry.path}`])]);
        }
    }

    /** The spec's version tags HEAD descends from; none while HEAD has no commit. */
    private async reachableTags(specName: string): Promise<string[]> {
        if (!(await this.headCommit())) {
            return [];
        }
        const tags = await this.git.raw(['tag', '--list', '--merged', 'HEAD', versionTagPattern(specName)]);
        return tags.split('\n').filter(tag => versionOfTag(specName, tag) !== undefined);
    }

    /** Version tags a rollback HEAD descends from went back past: newer than the version it restored, and in its history. */
    private async rolledBackTags(specName: string): Promise<Set<string>> {
        if (!(await this.headCommit())) {
            return new Set();
        }
        const rollbacks = readRollbackListing(await this.git.raw(['for-each-ref', '--merged', 'HEAD', tagListingFormat, rollbackTagPattern(specName)]));
        const undone = new Set<string>();
        for (const rollback of rollbacks) {
            const tags = await this.git.raw(['tag', '--list', '--merged', rollback.tag, versionTagPattern(specName)]);
            for (const tag of tags.split('\n')) {
                const version = versionOfTag(specName, tag);
                if (version && compareVersions(version, rollback.to) > 0) {
                    undone.add(tag);
                }
            }
        }
        return undone;
    }

    /** The text of `file` (root-relative) in `revision`; undefined when it has no such file. */
    private async blobAt(revision: string, file: string): Promise<string | undefined> {
        const blob = (await this.git.raw(['rev-parse', '--quiet', '--verify', `${revision}:${file}`])).trim();
        return blob ? this.git.raw(['cat-file', 'blob', blob]) : undefined;
    }

    private async headCommit(): Promise<string | undefined> {
        return (await this.git.raw(['rev-parse', '--quiet', '--verify', 'HEAD^{commit}'])).trim() || undefined;
    }

    private async refExists(ref: string): Promise<boolean> {
        return (await this.git.raw(['rev-parse', '--quiet', '--verify', ref])).trim() !== '';
    }

    /** `-c` options naming the crew for whichever of user.name and user.email git has no value for. */
    private async identity(): Promise<string[]> {
        const configured = await this.git.raw(['config', '--get-regexp', '^user\\.(name|email)$']);
        return Object.entries(crewIdentity)
            .filter(([key]) => !configured.split('\n').some(line => line.startsWith(`${key} `)))
            .flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    }

    /** `file` relative to the root with `/` separators, as git names it in trees; refuses a file outside the work tree. */
    private async repoPath(file: string): Promise<string> {
        const relative = path.relative(this.root, await realPathOf(file));
        const parts = relative.split(path.sep);
        if (relative === '' || parts[0] === '..' || parts[0] === '.git' || path.isAbsolute(relative)) {
            throw new LineageRefusal('outside-repository', `${file} is not in the repository at ${this.root}.`);
        }
        return parts.join('/');
    }
}
