import { readIndexEntries, type IndexEntry } from './git-output.js';
import { LineageRefusal } from './lineage-refusal.js';
import type { RepositoryGit } from './repository-git.js';
import { unfinishedOperation } from './repository-paths.js';

/**
 * Commits exactly `files` (files or folders) with `message` (`git commit -- <paths>`, so whatever
 * else is staged or modified stays so) and tags the commit with an annotated `tag`. A path holding
 * nothing git tracks or would add (missing, empty, or ignored) is left out. Refuses, changing
 * nothing, while a merge or rebase is unfinished or HEAD is detached; when git fails midway, the
 * branch and the index entries of `files` are put back as they were. `what` names the change in refusals.
 */
export async function commitAndTag(git: RepositoryGit, what: string, files: string[], tag: string, message: string): Promise<{ tag: string, commit: string }> {
    const paths = await committable(git, [...new Set(await Promise.all(files.map(file => git.repoPath(file))))]);
    const branch = await branchToCommitOn(git, what);
    const previous = await git.headCommit();
    const index = readIndexEntries(await git.raw(['ls-files', '--stage', '-z', '--', ...paths]));
    const identity = await git.identity();
    let commit: string | undefined;
    try {
        // New files must be known to git before a commit limited to paths can include them (`add` stages deletions too).
        await git.raw(['add', '--', ...paths]);
        await git.raw([...identity, 'commit', '--quiet', '--allow-empty', '--cleanup=whitespace', '-m', message, '--', ...paths]);
        commit = (await git.raw(['rev-parse', 'HEAD'])).trim();
        await git.raw([...identity, 'tag', '--annotate', '--cleanup=whitespace', '-m', message, tag, commit]);
        return { tag, commit };
    } catch (error) {
        await undoCommit(git, branch, previous, commit, paths, index);
        throw error;
    }
}

/** The paths (root-relative) with something to commit: a file git tracks (deleted ones too), or one it would add. */
async function committable(git: RepositoryGit, paths: string[]): Promise<string[]> {
    const listed = (await git.raw(['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...paths])).split('\0').filter(Boolean);
    const kept = paths.filter(p => listed.some(file => file === p || file.startsWith(`${p}/`)));
    // Limited to no path at all, `git commit` would take everything staged.
    if (kept.length === 0) {
        throw new Error(`Nothing to commit: git tracks none of ${paths.join(', ')}, nor would it add them.`);
    }
    return kept;
}

/** The branch HEAD is on, or a refusal: `what` could not be recorded cleanly. */
async function branchToCommitOn(git: RepositoryGit, what: string): Promise<string> {
    const operation = await unfinishedOperation(git.gitDir);
    if (operation) {
        throw new LineageRefusal('operation-in-progress', `A ${operation} is in progress: finish or abort it before recording ${what}.`);
    }
    const branch = await git.headBranch();
    if (!branch) {
        throw new LineageRefusal('detached-head', `HEAD is detached: check out the spec's branch or a variant branch before recording ${what}, so it is on a branch.`);
    }
    return branch;
}

/** Moves the branch back to where it was and restores the index entries of `paths` to `index`. */
async function undoCommit(git: RepositoryGit, branch: string, previous: string | undefined, commit: string | undefined, paths: string[], index: IndexEntry[]): Promise<void> {
    if (commit) {
        await git.raw(previous ? ['update-ref', branch, previous, commit] : ['update-ref', '-d', branch, commit]);
    }
    await git.raw(['update-index', '--force-remove', '--', ...paths]);
    if (index.length) {
        await git.raw(['update-index', '--add', ...index.flatMap(entry => ['--cacheinfo', `${entry.mode},${entry.object},${entry.path}`])]);
    }
}
