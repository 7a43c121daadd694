// Waiting for things, and the processes a test started, as /proc shows them (Linux).
import * as fs from 'node:fs';
import { processStat } from '../scripts/process-lifetime.mjs';

/** Polls `probe` every `everyMs` until it answers something other than undefined; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
        }
        await new Promise(resolve => setTimeout(resolve, everyMs));
    }
}

export interface Proc { pid: number; start: string; command: string }

/** Every process below `pid` now, its direct children first, each with its start time so a reused PID is not mistaken for it. */
export function descendants(pid: number): Proc[] {
    const all = fs.readdirSync('/proc').filter(name => /^\d+$/.test(name)).flatMap(name => {
        const stat = processStat(Number(name));
        try {
            return stat ? [{ pid: Number(name), ...stat, command: fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() }] : [];
        } catch {
            return []; // gone meanwhile
        }
    });
    const found: Proc[] = [];
    const parents = [pid];
    while (parents.length) {
        const parent = parents.shift()!;
        for (const child of all.filter(p => p.ppid === parent)) {
            found.push({ pid: child.pid, start: child.start, command: child.command });
            parents.push(child.pid);
        }
    }
    return found;
}

/** Whether the process is still the one that was seen (same PID, same start time). */
export const alive = (proc: Proc) => processStat(proc.pid)?.start === proc.start;
