import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { statIfExists } from './repository-paths.js';

/**
 * Writes `text` to `file` so that readers (the editor, the language server, git) see either the
 * old content or the new, never a half-written file: the text goes to a temporary file in the
 * same folder (same file system, so the rename is atomic), which then replaces `file`.
 * An existing file keeps its permissions; missing folders are created.
 */
export async function atomicWrite(file: string, text: string): Promise<void> {
    await replaceFiles([{ file, text }]);
}

/** A file to write with `text`, or to delete when `text` is undefined. */
export interface FileChange {
    file: string;
    text: string | undefined;
}

/**
 * Writes and deletes several files as one change: every new text first goes to a temporary file
 * beside its target, and only when all of them are written do renames replace the targets (and
 * deletions happen). A failure while writing leaves every file as it was.
 */
export async function replaceFiles(changes: FileChange[]): Promise<void> {
    const staged: Array<{ file: string, temporary: string | undefined }> = [];
    try {
        for (const { file, text } of changes) {
            staged.push({ file, temporary: text === undefined ? undefined : await stage(file, text) });
        }
        // Each target leaves the list once replaced, so a failure cleans up only what is still staged.
        for (let next = staged[0]; next; next = staged[0]) {
            await (next.temporary === undefined ? rm(next.file, { force: true }) : rename(next.temporary, next.file));
            staged.shift();
        }
    } catch (error) {
        await Promise.all(staged.map(({ temporary }) => temporary && unlink(temporary).catch(() => undefined)));
        throw error;
    }
}

/** Writes `text` to a temporary file in `file`'s folder, with `file`'s permissions; returns its path. */
async function stage(file: string, text: string): Promise<string> {
    const folder = path.dirname(file);
    await mkdir(folder, { recursive: true });
    const temporary = path.join(folder, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
        await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
        const existing = await statIfExists(file);
        if (existing) {
            await chmod(temporary, existing.mode & 0o7777);
        }
        return temporary;
    } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
    }
}
