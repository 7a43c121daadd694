// Nothing this project starts outlives the command that started it. A long-running child (code-server)
// gets a process group of its own, so stopping it stops its children too; the command stops that group
// when it is signalled (INT, TERM, HUP) and when the process that started it is gone. The last matters
// under npm: it forwards only INT and TERM, and to its script's `sh -c` (unless the script `exec`s, as
// `npm start` does), which dies without passing them on; on HUP npm itself just dies. Either way npm
// or its `sh -c` disappears.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/** The process groups started through spawnGroup that are still running. */
const running = new Set();
/** What a command asked to be done when it stops, newest first, before what is left of its process groups is stopped. */
const atStop = [];

/** Registers `fn` to run at shutdown (closing a browser, removing a temporary folder). */
export function atShutdown(fn) {
    atStop.unshift(fn);
}

const signals = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

/** Parent and start time of a process, from /proc (Linux); undefined once it is gone or a zombie. */
export function processStat(pid) {
    try {
        const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The fields after the command name (which may hold spaces and parentheses): state, ppid, …, starttime (22nd).
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        return fields[0] === 'Z' ? undefined : { ppid: Number(fields[1]), start: fields[19] };
    } catch {
        return undefined;
    }
}

/** True for a `sh -c '…'` between a command and what ran it (npm runs scripts so). */
function isShellWrapper(pid) {
    try {
        const [shell, ...args] = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return /(^|\/)(sh|dash|bash)$/.test(shell) && args.includes('-c');
    } catch {
        return false;
    }
}

/**
 * The processes whose end ends this command: the one that started it (for `npm start`, npm — not the
 * `sh -c` in between), each with its start time so a reused PID is not mistaken for it.
 */
function starters() {
    const watched = [];
    for (let pid = process.ppid; pid > 1;) {
        const stat = processStat(pid);
        if (!stat) break;
        watched.push({ pid, start: stat.start });
        if (!isShellWrapper(pid)) break;
        pid = stat.ppid;
    }
    return watched;
}

/** Spawns a child as the leader of a process group of its own, stopped with everything else at shutdown. */
export function spawnGroup(command, args, options) {
    const child = spawn(command, args, { ...options, detached: true });
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.once('error', () => running.delete(child));
    return child;
}

/**
 * Stops every running process group (see spawnGroup) and exits, when this process is signalled
 * (INT, TERM, HUP; exit 128 + the signal) or when the process that started it is gone (exit 1),
 * whichever comes first. Returns the same shutdown for the command's own ending (`shutdown(why, code)`).
 */
export function stopWhenOrphanedOrSignalled(log = line => process.stderr.write(`${line}\n`)) {
    let stopping;
    const shutdown = (why, code) => {
        stopping ??= (async () => {
            if (why) log(why);
            try {
                for (const fn of atStop) await Promise.resolve().then(fn).catch(error => log(`While stopping: ${error.message ?? error}`));
                await Promise.all([...running].map(child => stopProcessGroup(child)));
            } finally {
                process.exit(code);
            }
        })();
        return stopping;
    };
    for (const [signal, number] of Object.entries(signals)) {
        process.on(signal, () => void shutdown(`${signal} received: stopping.`, 128 + number));
    }
    const watched = process.platform === 'linux' ? starters() : [];
    const watch = setInterval(() => {
        const gone = watched.find(({ pid, start }) => processStat(pid)?.start !== start);
        if (gone) void shutdown(`The process that started this one (PID ${gone.pid}) is gone: stopping.`, 1);
    }, 500);
    watch.unref();
    return shutdown;
}

/** True while any process of the group led by `pgid` is alive. */
function groupAlive(pgid) {
    try {
        process.kill(-pgid, 0);
        return true;
    } catch (error) {
        return error.code === 'EPERM';
    }
}

/**
 * Stops a child started with `detached: true` (the leader of its own process group) and everything
 * in its group: TERM, then KILL for what is left after `graceMs`. Resolves once the group is empty.
 */
export async function stopProcessGroup(child, graceMs = 5000) {
    if (child.pid === undefined) return;
    const kill = signal => {
        try {
            process.kill(-child.pid, signal);
        } catch { /* the group is empty already */ }
    };
    kill('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(child.pid) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100));
    if (groupAlive(child.pid)) {
        kill('SIGKILL');
        while (groupAlive(child.pid)) await new Promise(resolve => setTimeout(resolve, 50));
    }
}
