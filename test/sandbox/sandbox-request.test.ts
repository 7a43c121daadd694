import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { LocalSandbox, SandboxRequestError, type SandboxRequest } from '../../language-server/src/sandbox/index.js';

const sandbox = new LocalSandbox();

// The sandbox makes its working directories in os.tmpdir(): here a folder of this file's own, so
// that other test files running at the same time do not add to what is counted.
let temporary: string;
beforeAll(() => {
    temporary = mkdtempSync(path.join(tmpdir(), 'sandbox-request-test-'));
    vi.stubEnv('TMPDIR', temporary);
});
afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(temporary, { recursive: true, force: true });
});

describe('a malformed request is refused before anything runs, naming what is wrong', () => {
    const refusals: Array<[string, unknown, RegExp]> = [
        ['neither code nor command', { language: 'python' }, /Give either `code` .* or `command` .*: neither was given/],
        ['both code and command', { code: 'print(1)', command: 'echo 1' }, /Give either `code` or `command`, not both/],
        ['an empty command', { command: '  ' }, /command must be a non-empty string/],
        ['argv with a command', { command: 'echo', argv: ['x'] }, /argv is for `code`/],
        ['an unknown language', { language: 'ruby', code: 'puts 1' }, /language must be one of python, typescript, javascript \(got "ruby"\)/],
        ['a zero timeout', { code: '1', timeout: 0 }, /timeout must be a number of seconds above 0 and at most 3600 \(got 0\)/],
        ['a negative timeout', { code: '1', timeout: -5 }, /timeout must be .* \(got -5\)/],
        ['a timeout given as text', { code: '1', timeout: '10' }, /timeout must be .* \(got "10"\)/],
        ['a timeout beyond an hour', { code: '1', timeout: 3601 }, /timeout must be .* \(got 3601\)/],
        ['a timeout that is not a number', { code: '1', timeout: Number.NaN }, /timeout must be .* \(got null\)/],
        ['a file path climbing out of the working directory', { code: '1', files: [{ path: '../escape.txt', content: 'x' }] }, /files\[0\]\.path "\.\.\/escape\.txt" must name a file inside the working directory/],
        ['a file path climbing out through a folder', { code: '1', files: [{ path: 'a.txt', content: '' }, { path: 'data/../../x', content: 'x' }] }, /files\[1\]\.path "data\/\.\.\/\.\.\/x" must name a file inside/],
        ['an absolute file path', { code: '1', files: [{ path: '/etc/passwd', content: 'x' }] }, /files\[0\]\.path "\/etc\/passwd" must name a file inside/],
        ['a folder as a file path', { code: '1', files: [{ path: 'data/', content: 'x' }] }, /files\[0\]\.path "data\/" must name a file inside/],
        ['a file without content', { code: '1', files: [{ path: 'a.txt' }] }, /files\[0\] must be \{ path: string, content: string \}/],
        ['a file taking the code\'s own name', { code: '1', files: [{ path: 'main.py', content: 'x' }] }, /files\[0\]\.path "main\.py" is where the python code is written/],
        ['an env value that is not text', { code: '1', env: { N: 1 } }, /env\.N must be a string/],
        ['an env name a shell cannot hold', { code: '1', env: { 'A-B': 'x' } }, /env\.A-B must be a string under a name of letters, digits and _/],
        ['argv that is not a list of strings', { code: '1', argv: 'a b' }, /argv must be an array of strings/],
        ['network.blockAll that is not a boolean', { code: '1', network: { blockAll: 'yes' } }, /network must be \{ blockAll\?: boolean \}/]
    ];

    test.each(refusals)('%s', async (_case, request, message) => {
        const refused = sandbox.run(request as SandboxRequest);

        await expect(refused).rejects.toThrow(SandboxRequestError);
        await expect(refused).rejects.toThrow(message);
        expect(readdirSync(temporary)).toEqual([]);
    });
});

test('a file path with redundant parts is written where it points', async () => {
    const result = await sandbox.run({ command: 'cat data/in.txt', files: [{ path: './data//sub/../in.txt', content: 'normalized' }] });
    expect(result.stdout).toBe('normalized');
});
