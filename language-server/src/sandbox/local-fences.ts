import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What this machine offers to fence a local run in, probed once per process: a network namespace
 * (`unshare -n` as root, `unshare -rn` through an unprivileged user namespace) and an address-space
 * limit (`prlimit --as`). Each is either a command prefix or the reason it is missing, which the
 * response repeats so that the user is never told the network was blocked when it was not.
 */
export interface LocalFences {
    network: { prefix: string[] } | { unavailable: string };
    memory: { prlimit: string } | { unavailable: string };
}

/** util-linux's home, searched after PATH: a server started with a narrow PATH still finds its tools. */
const SYSTEM_FOLDERS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

let probed: Promise<LocalFences> | undefined;

export function localFences(): Promise<LocalFences> {
    probed ??= probeFences();
    return probed;
}

async function probeFences(): Promise<LocalFences> {
    const prlimit = findSystemTool('prlimit');
    return {
        network: await probeNetworkNamespace(),
        memory: prlimit ? { prlimit } : { unavailable: 'prlimit (util-linux) not found' }
    };
}

async function probeNetworkNamespace(): Promise<LocalFences['network']> {
    const unshare = findSystemTool('unshare');
    if (!unshare) {
        return { unavailable: 'unshare (util-linux) not found, so no network namespace can be made' };
    }
    const failures: string[] = [];
    for (const flags of ['-n', '-rn']) {
        const failure = await runsTrue(unshare, [flags, 'true']);
        if (!failure) {
            return { prefix: [unshare, flags, '--'] };
        }
        failures.push(`unshare ${flags}: ${failure}`);
    }
    return { unavailable: `this system does not allow a network namespace here (${failures.join('; ')})` };
}

function findSystemTool(name: string): string | undefined {
    return findExecutable(name, [process.env.PATH, ...SYSTEM_FOLDERS].join(path.delimiter));
}

/** Undefined when `file args` exits 0, else its stderr's first line. */
function runsTrue(file: string, args: string[]): Promise<string | undefined> {
    return new Promise(resolve => {
        execFile(file, args, { timeout: 5000 }, (error, _stdout, stderr) => {
            resolve(error ? (stderr.split('\n')[0] || error.message).trim() : undefined);
        });
    });
}

/** The absolute path of an executable named `name` in `searchPath`'s folders, as a shell finds it. */
export function findExecutable(name: string, searchPath: string | undefined): string | undefined {
    for (const folder of (searchPath ?? '').split(path.delimiter)) {
        if (!folder) {
            continue;
        }
        const candidate = path.join(folder, name);
        try {
            accessSync(candidate, constants.X_OK);
            if (statSync(candidate).isFile()) {
                return candidate;
            }
        } catch {
            // Not in this folder.
        }
    }
    return undefined;
}
