import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { DaytonaSandbox } from '../../language-server/src/sandbox/daytona-sandbox.js';
import { startFakeDaytona } from './fake-daytona.js';

const bundle = path.resolve(import.meta.dirname, '../../out/language-server/sandbox-daytona.cjs');

beforeAll(() => {
    for (const name of ['DAYTONA_API_KEY', 'DAYTONA_API_URL', 'DAYTONA_TARGET']) {
        vi.stubEnv(name, undefined);
    }
});
afterAll(() => {
    vi.unstubAllEnvs();
});

test('the Daytona bundle needs nothing outside Node but ws\'s optional native speed-ups', () => {
    const text = readFileSync(bundle, 'utf8');
    const required = text.split('\n').filter(line => !/^\s*(\*|\/\/)/.test(line))
        .flatMap(line => [...line.matchAll(/(?<![.\w$])require\(["']([^"']+)["']\)/g)].map(match => match[1]));
    expect([...new Set(required.filter(name => !isBuiltin(name)))].sort()).toEqual(['bufferutil', 'utf-8-validate']);
});

test('the Daytona bundle runs, uploads included, with no node_modules around it (as in the .vsix)', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'sandbox-daytona-bundle-'));
    const fake = await startFakeDaytona();
    try {
        copyFileSync(bundle, path.join(folder, 'sandbox-daytona.cjs'));
        const loaded = createRequire(path.join(folder, 'index.cjs'))('./sandbox-daytona.cjs') as { DaytonaSandbox: typeof DaytonaSandbox };
        const sandbox = new loaded.DaytonaSandbox({ apiKey: 'test-key', apiUrl: fake.apiUrl });

        const result = await sandbox.run({ code: 'print(1)', files: [{ path: 'in.txt', content: 'x' }] });

        expect(result).toMatchObject({ ok: true, stdout: 'ran "print(1)"\n' });
        expect(fake.requests.map(request => request.call)).toEqual(['create', 'upload', 'codeRun', 'delete']);
    } finally {
        await fake.close();
        rmSync(folder, { recursive: true, force: true });
    }
});
