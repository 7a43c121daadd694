import { existsSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { createSandbox, LocalSandbox } from '../../language-server/src/sandbox/index.js';
import { requirePython } from '../system-tools.js';

const sandbox = createSandbox('local');
/** A test that runs Python code; where python3 is missing it fails, saying how to install it. */
const withPython = (name: string, body: () => Promise<void>, timeout?: number) => test(name, async () => {
    requirePython();
    await body();
}, timeout);

describe('the local sandbox runs code and commands', () => {
    withPython('python gets argv, env and files in its working directory', async () => {
        const result = await sandbox.run({
            code: 'import os, sys\nprint(sys.argv[1:], os.environ["GREETING"], open("data/input.json").read())',
            argv: ['--flag', 'two words'],
            env: { GREETING: 'hello' },
            files: [{ path: 'data/input.json', content: '{"k":1}' }]
        });

        expect(result).toMatchObject({ ok: true, exitCode: 0, stderr: '', timedOut: false, truncated: false, sandbox: 'local' });
        expect(result.stdout).toBe('[\'--flag\', \'two words\'] hello {"k":1}\n');
        expect(result.artifacts).toEqual({ stdout: result.stdout, charts: [] });
    });

    withPython('python imports a module given as a file', async () => {
        const result = await sandbox.run({ code: 'import helper\nprint(helper.twice(21))', files: [{ path: 'helper.py', content: 'def twice(n):\n    return 2 * n\n' }] });
        expect(result.stdout).toBe('42\n');
    });

    test('javascript gets argv, env and files', async () => {
        const result = await sandbox.run({
            language: 'javascript',
            code: 'const fs = require("node:fs");\nconsole.log(process.argv.slice(2).join("|"), process.env.GREETING, fs.readFileSync("in/a.txt", "utf8"));',
            argv: ['a', 'b c'],
            env: { GREETING: 'hi' },
            files: [{ path: './in//a.txt', content: 'file text' }]
        });

        expect(result).toMatchObject({ ok: true, exitCode: 0, stdout: 'a|b c hi file text\n', stderr: '' });
    });

    test('typescript runs with its types stripped, as a module with top-level await', async () => {
        const result = await sandbox.run({
            language: 'typescript',
            code: [
                'import { readFile } from "node:fs/promises";',
                'interface Row { k: number }',
                'const row: Row = JSON.parse(await readFile("row.json", "utf8"));',
                'console.log(row.k + Number(process.argv[2]), process.env.GREETING as string);'
            ].join('\n'),
            argv: ['41'],
            env: { GREETING: 'typed' },
            files: [{ path: 'row.json', content: '{"k":1}' }]
        });

        expect(result).toMatchObject({ ok: true, stdout: '42 typed\n', stderr: '' });
    });

    test('a command runs through /bin/sh in the working directory, which is also HOME', async () => {
        const result = await sandbox.run({
            command: 'cat notes/a.txt; echo "$GREETING"; [ "$(pwd)" = "$HOME" ] && echo home',
            env: { GREETING: 'from sh' },
            files: [{ path: 'notes/a.txt', content: 'note\n' }]
        });

        expect(result).toMatchObject({ ok: true, exitCode: 0, stdout: 'note\nfrom sh\nhome\n' });
    });

    withPython('a crash gives its exit code and keeps stderr', async () => {
        const result = await sandbox.run({ code: 'print("before")\nraise ValueError("boom")' });

        expect(result).toMatchObject({ ok: false, exitCode: 1, stdout: 'before\n', timedOut: false });
        expect(result.stderr).toContain('ValueError: boom');
    });

    test('a non-zero exit of a command is reported as is', async () => {
        const result = await sandbox.run({ command: 'echo oops >&2; exit 3' });
        expect(result).toMatchObject({ ok: false, exitCode: 3, stdout: '', stderr: 'oops\n' });
    });
});

describe('the local sandbox cleans up after itself', () => {
    const secret = 'FSPEC_SANDBOX_TEST_SECRET';
    afterEach(() => {
        delete process.env[secret];
    });

    test('the server\'s environment does not reach the run: only PATH, HOME, TMPDIR, LANG and the request\'s env', async () => {
        process.env[secret] = 'hunter2';
        const result = await sandbox.run({ language: 'javascript', code: 'console.log(JSON.stringify(process.env))', env: { MY_FLAG: '1' } });

        const env = JSON.parse(result.stdout) as Record<string, string>;
        expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'MY_FLAG', 'PATH', 'TMPDIR']);
        expect(result.stdout).not.toContain('hunter2');
    });

    test('a command sees no secret either', async () => {
        process.env[secret] = 'hunter2';
        const result = await sandbox.run({ command: 'env' });
        expect(result.stdout).not.toContain('hunter2');
    });

    test('the working directory is removed after the run, with what the code wrote into it', async () => {
        const result = await sandbox.run({ command: 'mkdir -p out && echo x > out/result.txt && pwd', files: [{ path: 'in.txt', content: 'x' }] });

        const workDir = result.stdout.trim();
        expect(workDir).toMatch(/fspec-sandbox-/);
        expect(existsSync(workDir)).toBe(false);
    });

    test('the working directory is removed after a run that timed out', async () => {
        const result = await sandbox.run({ command: 'pwd; sleep 30', timeout: 0.5 });
        expect(result.timedOut).toBe(true);
        expect(existsSync(result.stdout.trim())).toBe(false);
    });

    test('the node that runs javascript can be chosen, and a missing one falls back to the project\'s', async () => {
        const chosen = new LocalSandbox({ nodePath: process.execPath });
        const result = await chosen.run({ language: 'javascript', code: 'console.log(process.execPath)' });
        expect(result.stdout.trim()).toBe(process.execPath);

        const missing = new LocalSandbox({ nodePath: '/nonexistent/node' });
        expect((await missing.run({ language: 'javascript', code: 'console.log(1)' })).stdout).toBe('1\n');
    });
});
