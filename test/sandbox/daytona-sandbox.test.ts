import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { createSandbox, SandboxError, SandboxRequestError, type Sandbox } from '../../language-server/src/sandbox/index.js';
import { startFakeDaytona, type FakeDaytona } from './fake-daytona.js';

// The SDK reads DAYTONA_* from the process environment too: a developer's own settings must not reach the fake.
beforeAll(() => {
    for (const name of ['DAYTONA_API_KEY', 'DAYTONA_API_URL', 'DAYTONA_TARGET', 'DAYTONA_JWT_TOKEN', 'DAYTONA_ORGANIZATION_ID']) {
        vi.stubEnv(name, undefined);
    }
});
afterAll(() => {
    vi.unstubAllEnvs();
});

test('without DAYTONA_API_KEY the Daytona sandbox says how to configure it', () => {
    expect(() => createSandbox('daytona', {})).toThrow(new SandboxError('Daytona not configured: set DAYTONA_API_KEY (optionally DAYTONA_API_URL, DAYTONA_TARGET).'));
    expect(() => createSandbox('daytona', { DAYTONA_API_KEY: '  ', DAYTONA_API_URL: 'http://127.0.0.1:1/api' })).toThrow(/Daytona not configured/);
});

describe('the Daytona sandbox against a fake Daytona API', () => {
    let fake: FakeDaytona;
    let sandbox: Sandbox;

    beforeEach(async () => {
        fake = await startFakeDaytona();
        // A trailing slash, as users write it, must not turn every call into `//sandbox`.
        sandbox = createSandbox('daytona', { DAYTONA_API_KEY: 'test-key', DAYTONA_API_URL: `${fake.apiUrl}/`, DAYTONA_TARGET: 'eu' });
    });
    afterEach(() => fake.close());

    test('code: creates a sandbox without network, uploads the files, runs the code, deletes the sandbox', async () => {
        const result = await sandbox.run({
            language: 'typescript',
            code: 'console.log(1)',
            argv: ['--flag'],
            env: { MY_FLAG: '1' },
            timeout: 10,
            files: [{ path: 'data/input.json', content: '{"k":1}' }]
        });

        expect(fake.requests.map(request => request.call)).toEqual(['create', 'upload', 'codeRun', 'delete']);
        expect(fake.requests.every(request => request.authorization === 'Bearer test-key')).toBe(true);
        const [create, upload, run, remove] = fake.requests;
        expect(create).toMatchObject({ path: '/api/sandbox', body: { env: { MY_FLAG: '1' }, labels: { 'code-toolbox-language': 'typescript' }, networkBlockAll: true, target: 'eu' } });
        expect(upload.body).toContain('name="files[0].path"\r\n\r\ndata/input.json');
        expect(upload.body).toContain('{"k":1}');
        expect(run.body).toEqual({ code: 'console.log(1)', language: 'typescript', argv: ['--flag'], timeout: 10 });
        expect(remove).toMatchObject({ method: 'DELETE', path: '/api/sandbox/sandbox-1' });

        expect(result).toMatchObject({
            ok: true,
            exitCode: 0,
            stdout: 'ran "console.log(1)"\n',
            stderr: '',
            artifacts: { stdout: 'ran "console.log(1)"\n', charts: [] },
            timedOut: false,
            truncated: false,
            network: 'blocked',
            sandbox: 'daytona'
        });
    });

    test('command: runs through executeCommand; network.blockAll false is sent and reported', async () => {
        fake.answer('execute', { status: 200, body: { exitCode: 2, result: 'no such file\n' } });

        const result = await sandbox.run({ command: 'cat missing.txt', timeout: 5, network: { blockAll: false } });

        expect(fake.requests.map(request => request.call)).toEqual(['create', 'execute', 'delete']);
        expect(fake.requests[0].body).toMatchObject({ labels: { 'code-toolbox-language': 'python' }, networkBlockAll: false });
        expect(fake.requests[1].body).toEqual({ command: 'cat missing.txt', timeout: 5 });
        expect(result).toMatchObject({ ok: false, exitCode: 2, stdout: 'no such file\n', network: 'unblocked: the request set network.blockAll to false' });
    });

    test('a run Daytona fails is an error naming the step, and the sandbox is still deleted', async () => {
        fake.answer('codeRun', { status: 500, body: { message: 'toolbox crashed' } });

        await expect(sandbox.run({ code: 'print(1)' })).rejects.toThrow(new SandboxError('Daytona could not run the request (HTTP 500): toolbox crashed'));
        expect(fake.requests.map(request => request.call)).toEqual(['create', 'codeRun', 'delete']);
    });

    test('a failed upload still deletes the sandbox', async () => {
        fake.answer('upload', { status: 400, body: { message: 'bad path' } });

        await expect(sandbox.run({ code: 'print(1)', files: [{ path: 'a.txt', content: 'x' }] })).rejects.toThrow(/Daytona could not upload the files \(HTTP 400\): bad path/);
        expect(fake.requests.map(request => request.call)).toEqual(['create', 'upload', 'delete']);
    });

    test('a run Daytona ends at its timeout is a timed-out response, and the sandbox is deleted', async () => {
        fake.answer('codeRun', { status: 408, body: { message: 'execution timed out', code: 'PROCESS_EXECUTION_TIMEOUT', source: 'DAYTONA_DAEMON' } });

        const result = await sandbox.run({ code: 'while True: pass', timeout: 2 });

        expect(result).toMatchObject({ ok: false, timedOut: true, exitCode: 124, stdout: '' });
        expect(fake.requests.map(request => request.call)).toEqual(['create', 'codeRun', 'delete']);
    });

    test('a rejected API key (401) is a clear error, and nothing is left to delete', async () => {
        fake.answer('create', { status: 401, body: { statusCode: 401, message: 'Invalid API key' } });

        await expect(sandbox.run({ code: 'print(1)' })).rejects.toThrow(new SandboxError('Daytona refused the API key (DAYTONA_API_KEY) when asked to create a sandbox: Invalid API key'));
        expect(fake.requests.map(request => request.call)).toEqual(['create']);
    });

    test('a failed delete after a good run is reported', async () => {
        fake.answer('delete', { status: 500, body: { message: 'runner unreachable' } });

        await expect(sandbox.run({ code: 'print(1)' })).rejects.toThrow(new SandboxError('Daytona could not delete sandbox sandbox-1 (HTTP 500): runner unreachable (it is ephemeral: Daytona deletes it once it stops)'));
    });

    test('a malformed request is refused before Daytona is called', async () => {
        await expect(sandbox.run({ code: 'print(1)', command: 'echo 1' })).rejects.toThrow(SandboxRequestError);
        expect(fake.requests).toEqual([]);
    });
});
