import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface BoundedProcessOptions {
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    /** stdout and stderr together; past it the output is cut and the process killed. */
    outputLimitBytes: number;
}

export interface BoundedProcessResult {
    /** 128 + the signal's number when a signal ended the process, as a shell reports it. */
    exitCode: number;
    signal?: NodeJS.Signals;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    truncated: boolean;
}

/**
 * After the process exits, how long its output pipes may stay open: a descendant that left the
 * process group (setsid) and still holds them would otherwise keep the run waiting forever.
 */
const PIPE_DRAIN_MS = 500;

/**
 * Runs `file` with `args` in a process group of its own, so that a timeout, too much output, or
 * the end of the run kills every process it started (background children included), not just the
 * first. Rejects only when the process cannot be started.
 */
export function runBoundedProcess(file: string, args: string[], options: BoundedProcessOptions): Promise<BoundedProcessResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(file, args, {
            cwd: options.cwd,
            env: options.env,
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true
        });
        const output = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
        let outputBytes = 0;
        let timedOut = false;
        let truncated = false;

        const killGroup = () => {
            try {
                process.kill(-child.pid!, 'SIGKILL');
            } catch {
                // ESRCH: the whole group has already exited.
            }
        };
        const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
            if (truncated) {
                return;
            }
            const room = options.outputLimitBytes - outputBytes;
            if (chunk.length > room) {
                output[stream].push(chunk.subarray(0, room));
                outputBytes = options.outputLimitBytes;
                truncated = true;
                killGroup();
                return;
            }
            output[stream].push(chunk);
            outputBytes += chunk.length;
        };
        child.stdout.on('data', collect('stdout'));
        child.stderr.on('data', collect('stderr'));

        const timer = setTimeout(() => {
            timedOut = true;
            killGroup();
        }, options.timeoutMs);
        let drainTimer: NodeJS.Timeout | undefined;

        child.once('error', error => {
            clearTimeout(timer);
            reject(error);
        });
        child.once('exit', () => {
            killGroup();
            drainTimer = setTimeout(() => {
                child.stdout.destroy();
                child.stderr.destroy();
            }, PIPE_DRAIN_MS);
        });
        child.once('close', (code, signal) => {
            clearTimeout(timer);
            clearTimeout(drainTimer);
            resolve({
                exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0),
                ...(signal ? { signal } : {}),
                stdout: Buffer.concat(output.stdout).toString('utf8'),
                stderr: Buffer.concat(output.stderr).toString('utf8'),
                timedOut,
                truncated
            });
        });
    });
}
