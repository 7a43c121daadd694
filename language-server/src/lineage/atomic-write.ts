import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { statIfExists } from './repository-paths.js';

/**
 * Writes `text` to `file` so that readers (the editor, the language server, git) see either the
 * old content or the new, never a half-written file: the text goes to a temporary file in the
 * same folder (same file system, so the rename is atomic), which then replaces `file`.
 * An existing file keeps its permissions; missing folders are created.
 */
export async function atomicWrite(file: string, text: string): Promise<void> {
    const folder = path.dirname(file);
    await mkdir(folder, { recursive: true });
    const temporary = path.join(folder, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
        await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
        const existing = await statIfExists(file);
        if (existing) {
            await chmod(temporary, existing.mode & 0o7777);
        }
        await rename(temporary, file);
    } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
    }
}
