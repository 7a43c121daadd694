import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { LocalSandbox, SandboxError } from '../../language-server/src/sandbox/index.js';
import { requirePython } from '../system-tools.js';

const sandbox = new LocalSandbox();
/** A test that runs Python code; where python3 is missing it fails, saying how to install it. */
const withPython = (name: string, body: () => Promise<void>, timeout?: number) => test(name, async () => {
    requirePython();
    await body();
}, timeout);

/** Killed processes may linger as zombies where PID 1 does not reap orphans (as in some containers); they no longer run. */
function isRunning(pid: string): boolean {
    if (!existsSync('/proc/self')) {
        try {
            return process.kill(Number(pid), 0);
        } catch {
            return false;
        }
    }
    try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
    } catch {
        return false;
    }
}

/** SIGKILL is delivered at once, but a loaded machine may take a moment to end the process. */
async function expectKilled(pid: string): Promise<void> {
    await vi.waitFor(() => expect(isRunning(pid)).toBe(false), { timeout: 2000 });
}

describe('the local sandbox stops runaway code', () => {
    withPython('an endless loop is killed when its timeout elapses', async () => {
        const result = await sandbox.run({ code: 'while True:\n    pass', timeout: 1 });

        expect(result).toMatchObject({ ok: false, timedOut: true, exitCode: 137 });
        expect(result.durationMs).toBeGreaterThanOrEqual(1000);
        expect(result.durationMs).toBeLessThan(4000);
    });

    test('a timeout kills the whole process group, background children included', async () => {
        const result = await sandbox.run({ command: 'sleep 60 & echo $!; sleep 60', timeout: 0.5 });

        expect(result.timedOut).toBe(true);
        await expectKilled(result.stdout.trim());
    });

    test('a finished run leaves no background process behind', async () => {
        const result = await sandbox.run({ command: 'sleep 60 > /dev/null 2>&1 & echo $!' });

        expect(result).toMatchObject({ ok: true, timedOut: false });
        expect(result.durationMs).toBeLessThan(5000);
        await expectKilled(result.stdout.trim());
    });

    // `yes` blocks when the pipe is full, so all it writes reaches the sandbox. A JavaScript loop that
    // never yields would instead queue its writes in its own heap until the memory limit stops it.
    test('endless output is cut at the limit and the process killed at once', async () => {
        const limited = new LocalSandbox({ outputLimitBytes: 64 * 1024 });
        const result = await limited.run({ command: 'yes "$(printf %1000s)"', timeout: 60 });

        expect(result).toMatchObject({ ok: false, truncated: true, timedOut: false, exitCode: 137 });
        expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBe(64 * 1024);
        expect(result.durationMs).toBeLessThan(5000);
    });

    test('output under the limit is not marked truncated', async () => {
        const result = await sandbox.run({ language: 'javascript', code: 'process.stdout.write("y".repeat(100000))' });
        expect(result).toMatchObject({ ok: true, truncated: false });
        expect(result.stdout).toHaveLength(100000);
    });

    withPython('python cannot allocate far beyond the memory limit', async () => {
        const small = new LocalSandbox({ memoryMb: 128 });
        const result = await small.run({ code: 'block = bytearray(1024 * 1024 * 1024)\nprint("allocated")' });

        expect(result).toMatchObject({ ok: false, exitCode: 1, stdout: '' });
        expect(result.stderr).toContain('MemoryError');
        expect(result.memory).toBe('limited: 128 MB address space');
    });

    test('javascript cannot grow its heap far beyond the memory limit', async () => {
        const small = new LocalSandbox({ memoryMb: 128 });
        const result = await small.run({ language: 'javascript', code: 'const keep = []; for (;;) keep.push(new Array(1e5).fill(Math.random()));' });

        expect(result.ok).toBe(false);
        expect(result.timedOut).toBe(false);
        expect(result.stderr).toMatch(/heap out of memory/i);
        expect(result.memory).toBe('limited: 2176 MB address space, 128 MB heap');
    });

    test('javascript cannot allocate buffers far beyond the memory limit', async () => {
        const small = new LocalSandbox({ memoryMb: 128 });
        const result = await small.run({ language: 'javascript', code: 'const b = Buffer.alloc(3 * 1024 ** 3, 1); console.log(b.length);' });

        expect(result).toMatchObject({ ok: false, stdout: '' });
        expect(result.stderr).toMatch(/allocation failed|out of memory/i);
    });
});

describe('the local sandbox blocks the network where this system allows it', () => {
    let server: Server;
    let port: number;
    /** Probed here independently of the sandbox, so that the test asserts what this machine can do. */
    const canBlock = ['-n', '-rn'].some(flags => {
        try {
            execFileSync('unshare', [flags, 'true'], { stdio: 'ignore' });
            return true;
        } catch {
            return false;
        }
    });
    const connect = () => `
        const socket = require("node:net").connect(${port}, "127.0.0.1");
        socket.on("connect", () => { console.log("connected"); socket.end(); });
        socket.on("error", error => console.log("failed: " + error.code));`;

    beforeAll(async () => {
        server = createServer((_request, response) => response.end('hello'));
        await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
        port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

    test('by default, a server on this machine\'s 127.0.0.1 cannot be reached; where no network namespace can be made, the response says the network was open, and an explicit blockAll is refused', async () => {
        const result = await sandbox.run({ language: 'javascript', code: connect() });

        if (canBlock) {
            expect(result.network).toBe('blocked');
            expect(result.stdout).toMatch(/^failed: E(NETUNREACH|CONNREFUSED)/);
        } else {
            expect(result.network).toMatch(/^unblocked: this system does not allow a network namespace|^unblocked: unshare/);
            expect(result.stdout).toBe('connected\n');
            await expect(sandbox.run({ language: 'javascript', code: connect(), network: { blockAll: true } }))
                .rejects.toThrow(/network.blockAll is true, but the network cannot be blocked here/);
        }
    });

    test('network.blockAll false lets the run connect, and says so', async () => {
        const result = await sandbox.run({ language: 'javascript', code: connect(), network: { blockAll: false } });

        expect(result.network).toBe('unblocked: the request set network.blockAll to false');
        expect(result.stdout).toBe('connected\n');
    });
});

describe('missing runtimes are named', () => {
    test('python3 not on PATH is a clear error, not a spawn failure', async () => {
        const savedPath = process.env.PATH;
        const emptyFolder = mkdtempSync(path.join(tmpdir(), 'empty-path-'));
        process.env.PATH = emptyFolder;
        try {
            await expect(sandbox.run({ code: 'print(1)' })).rejects.toThrow(new SandboxError('python3 not found on PATH: install Python 3 to run python code in the local sandbox.'));
        } finally {
            process.env.PATH = savedPath;
            rmSync(emptyFolder, { recursive: true });
        }
    });
});
