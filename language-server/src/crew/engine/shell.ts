/** Shell commands of a run: tool nodes (§4.10), the tools of LLM stages and their hooks (§9.7). */
import { spawn } from 'node:child_process';

export interface ShellResult {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs `command` in `sh -c` (its own process group, so aborting kills the whole command tree);
 * `stdin`, when given, is written to it. Rejects with the abort reason when `signal` aborts.
 */
export function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv, signal: AbortSignal, stdin?: string): Promise<ShellResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, { cwd, env, shell: true, detached: true, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
        if (stdin !== undefined) {
            // A command that does not read its input closes the pipe early; that is not an error.
            child.stdin!.on('error', () => undefined);
            child.stdin!.end(stdin);
        }
        const kill = () => {
            try {
                process.kill(-child.pid!, 'SIGKILL');
            } catch {
                // The command already exited.
            }
        };
        signal.addEventListener('abort', kill, { once: true });
        child.on('error', error => {
            signal.removeEventListener('abort', kill);
            reject(error);
        });
        child.on('close', code => {
            signal.removeEventListener('abort', kill);
            if (signal.aborted) {
                reject(signal.reason);
                return;
            }
            resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
        });
    });
}
