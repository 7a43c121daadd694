import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';

/** The `stat` of a path; undefined when nothing is there. */
export async function statIfExists(file: string): Promise<Stats | undefined> {
    try {
        return await stat(file);
    } catch (error) {
        if (isMissing(error)) {
            return undefined;
        }
        throw error;
    }
}

/**
 * The nearest folder from `folder` upward holding `.git` (a folder, or a file in worktrees and
 * submodules): where git itself finds the repository. Stat calls only, no git process.
 */
export async function findRepositoryRoot(folder: string): Promise<string | undefined> {
    let current = path.resolve(folder);
    for (;;) {
        if (await statIfExists(path.join(current, '.git'))) {
            return current;
        }
        const parent = path.dirname(current);
        if (parent === current) {
            return undefined;
        }
        current = parent;
    }
}

/**
 * A fingerprint of what decides a spec's latest approved version reachable from HEAD: HEAD and its
 * reflog (checkouts, commits, resets), packed-refs and the spec's tag folder. Git replaces a ref
 * file by renaming a new one over it, which changes the inode even where mtimes are coarse.
 */
export async function refsStamp(gitDir: string, commonDir: string, specName: string): Promise<string> {
    const files = [
        path.join(gitDir, 'HEAD'), path.join(gitDir, 'logs', 'HEAD'),
        path.join(commonDir, 'packed-refs'), path.join(commonDir, 'refs', 'tags', 'fspec', specName)
    ];
    const stats = await Promise.all(files.map(statIfExists));
    return stats.map(s => s ? `${s.ino}:${s.mtimeMs}:${s.size}` : '-').join('|');
}

/** Files in a work tree's git folder while a merge, rebase, cherry-pick or revert is unfinished. */
const unfinishedOperations = [
    ['MERGE_HEAD', 'merge'], ['rebase-merge', 'rebase'], ['rebase-apply', 'rebase'],
    ['CHERRY_PICK_HEAD', 'cherry-pick'], ['REVERT_HEAD', 'revert']
] as const;

/** The operation left unfinished in the work tree whose git folder is `gitDir`, if any. */
export async function unfinishedOperation(gitDir: string): Promise<string | undefined> {
    for (const [file, operation] of unfinishedOperations) {
        if (await statIfExists(path.join(gitDir, file))) {
            return operation;
        }
    }
    return undefined;
}

/**
 * `file` made absolute with symbolic links resolved in its deepest existing ancestor, so it
 * compares with the root git reports (itself a real path; on macOS /tmp is /private/tmp).
 */
export async function realPathOf(file: string): Promise<string> {
    const absolute = path.resolve(file);
    try {
        return await realpath(absolute);
    } catch (error) {
        const parent = path.dirname(absolute);
        if (!isMissing(error) || parent === absolute) {
            throw error;
        }
        return path.join(await realPathOf(parent), path.basename(absolute));
    }
}

function isMissing(error: unknown): boolean {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
}
