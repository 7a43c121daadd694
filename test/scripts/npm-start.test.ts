import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { codeServerVersion, ensureCodeServer, freePort } from '../../scripts/code-server.mjs';
import { alive, descendants, until } from '../processes.js';
import { copyOfProject } from '../project-copy.js';

/**
 * `npm start` as a user runs it, in a copy of the project (so its build does not rewrite out/ under
 * the other tests), with code-server from this checkout. Whatever the signal sent to npm's PID,
 * nothing it started survives and the port is free again.
 */
let project: string;
let npm: ChildProcess | undefined;

beforeAll(async () => {
    await ensureCodeServer();
    project = copyOfProject('fspec-start-', ['node_modules', path.join('.vscode-test', `code-server-${codeServerVersion}`)]);
}, 600_000);

afterEach(() => {
    // Whatever the test found, leave nothing behind: npm's whole group, and code-server's.
    if (npm?.pid !== undefined) {
        for (const pid of [npm.pid, ...descendants(npm.pid).map(p => p.pid)]) {
            try {
                process.kill(-pid, 'SIGKILL');
            } catch { /* gone */ }
        }
    }
});

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const answers = (port: number) => fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);

describe('npm start stops everything it started', () => {
    test.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s sent to npm stops code-server and frees the port', async signal => {
        const port = await freePort();
        let output = '';
        // Its own process group, as a terminal would give it, so afterEach can clean up whatever happens.
        npm = spawn('npm', ['start'], { cwd: project, env: { ...process.env, FSPEC_PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        npm.stdout!.on('data', chunk => output += chunk);
        npm.stderr!.on('data', chunk => output += chunk);
        let ended = false;
        const exited = new Promise(resolve => npm!.once('exit', resolve)).then(() => ended = true);
        await until('npm start prints the URL', () => {
            if (ended) {
                throw new Error(`npm start ended before printing the URL:\n${output}`);
            }
            return output.includes(`http://127.0.0.1:${port}/?folder=`) || undefined;
        }, 120_000);
        expect(await answers(port)).toBe(true);
        const started = descendants(npm.pid!);
        expect(started.map(p => p.command).join('\n')).toContain('code-server');

        process.kill(npm.pid!, signal);
        await exited;
        const survivors = await until('everything npm start started has stopped', () => {
            const left = started.filter(alive);
            return left.length === 0 ? [] : undefined;
        }, 20_000).catch(() => started.filter(alive));
        expect(survivors.map(p => `${p.pid} ${p.command}`)).toEqual([]);
        expect(await answers(port)).toBe(false);
        expect(output).toMatch(signal === 'SIGHUP' ? /The process that started this one \(PID \d+\) is gone: stopping\./ : new RegExp(`${signal} received: stopping\\.`));
    }, 240_000);
});
