import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const projectRoot = path.resolve(import.meta.dirname, '..');

/**
 * The files git tracks in this checkout, as they are in the working tree, copied into a fresh
 * temporary folder as a clone would have them; `linked` entries of this checkout (its installed
 * packages, its build) are symlinked in, so that commands run there do not rewrite this checkout's.
 */
export function copyOfProject(prefix: string, linked: readonly string[]): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: projectRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const file of tracked) {
        if (fs.existsSync(path.join(projectRoot, file))) {
            fs.cpSync(path.join(projectRoot, file), path.join(copy, file), { recursive: true });
        }
    }
    for (const entry of linked) {
        fs.mkdirSync(path.dirname(path.join(copy, entry)), { recursive: true });
        fs.symlinkSync(path.join(projectRoot, entry), path.join(copy, entry));
    }
    return copy;
}
