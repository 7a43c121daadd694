import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What git must not track in a `.factory/` folder: what fspec derives and can make again — app
 * builds (`build/`, with the data the apps write), run folders (`runs/`: the checkpoints and logs
 * of growths and pipeline runs) and this ignore file itself, which fspec writes wherever it is
 * missing (so no build or run leaves an untracked file behind). Everything else there is authored
 * and committed with the spec: approved copies, migration records, step bodies (`bodies/`), a
 * project's own `crew.dot`.
 */
const derivedEntries = ['build/', 'runs/', '.gitignore'];

const comment = '# Written by fspec: builds, run logs and this file are made again from the spec, so git ignores them.';

/** A spec's `.factory/` folder, beside it. */
export function factoryFolder(specPath: string): string {
    return path.join(path.dirname(path.resolve(specPath)), '.factory');
}

/**
 * Makes sure `.factory/.gitignore` lists every derived folder: writes it when there is none, and
 * appends only the missing entries to one a user has, leaving their lines as they are (a folder they
 * name, even as `!build/` to track it, is theirs to decide).
 */
export function ensureFactoryIgnore(factory: string): void {
    const file = path.join(factory, '.gitignore');
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    const listed = new Set((existing ?? '').split(/\r?\n/).map(line => line.trim().replace(/^!?\/?|\/$/g, '')));
    const missing = derivedEntries.filter(entry => !listed.has(entry.replace(/\/$/, '')));
    if (missing.length === 0) {
        return;
    }
    const lines = [comment, ...missing].join('\n');
    if (existing === undefined) {
        fs.mkdirSync(factory, { recursive: true });
        fs.writeFileSync(file, `${lines}\n`);
    } else {
        fs.appendFileSync(file, `${existing === '' || existing.endsWith('\n') ? '' : '\n'}${lines}\n`);
    }
}

/**
 * Before fspec writes derived output into `folder`: when the folder is one of a `.factory/`'s
 * derived folders (`.factory/build/<version>`, `.factory/runs`), that `.factory/.gitignore` lists it.
 * A folder named elsewhere (`--out`, `--runs`) is the user's to track or not.
 */
export function ignoreDerivedFolder(folder: string): void {
    for (let at = path.resolve(folder); at !== path.dirname(at); at = path.dirname(at)) {
        if (path.basename(path.dirname(at)) === '.factory') {
            if (derivedEntries.includes(`${path.basename(at)}/`)) {
                ensureFactoryIgnore(path.dirname(at));
            }
            return;
        }
    }
}
