import * as fs from 'node:fs';
import * as path from 'node:path';

/** Who holds a spec's growth: written into the lock file when the growth starts. */
interface GrowthHolder {
    readonly pid: number;
    readonly runId: string;
    readonly since: string;
}

export type GrowthLock = { readonly release: () => void; readonly holder?: undefined } | { readonly holder: GrowthHolder; readonly release?: undefined };

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
}

function readHolder(file: string): GrowthHolder | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, 'utf8')) as GrowthHolder;
    } catch {
        return undefined;
    }
}

/**
 * One growth of a spec at a time, across processes (the editor's language server, `fspec grow` in a
 * terminal): a lock file in the spec's runs folder, created exclusively, naming the process and run
 * that hold it. A lock whose process is gone (killed) is taken over. The growth that finds it held
 * gets its holder, to say who has the spec.
 */
export function acquireGrowthLock(runsFolder: string, runId: string): GrowthLock {
    const file = path.join(runsFolder, '.growth.lock');
    fs.mkdirSync(runsFolder, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            const fd = fs.openSync(file, 'wx');
            fs.writeSync(fd, JSON.stringify({ pid: process.pid, runId, since: new Date().toISOString() }));
            fs.closeSync(fd);
            return {
                release: () => {
                    if (readHolder(file)?.runId === runId) {
                        fs.rmSync(file, { force: true });
                    }
                }
            };
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
                throw error;
            }
            const holder = readHolder(file);
            if (holder && alive(holder.pid)) {
                return { holder };
            }
            // Its process is gone (or the file is half written by a process that died): take it over.
            fs.rmSync(file, { force: true });
        }
    }
    return { holder: readHolder(file) ?? { pid: 0, runId: 'unknown', since: '' } };
}
