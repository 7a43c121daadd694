import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { FactoryMethods, type AcceptanceReport } from '../../language-server/src/protocol.js';

/** `fspec/test` over stdio, from the bundled server, as any LSP client asks it. */
const root = path.resolve(import.meta.dirname, '../..');
const { DAYTONA_API_KEY: _key, ...env } = process.env;
const server = spawn(process.execPath, [path.join(root, 'bin/fspec-language-server.cjs'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env });
const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
connection.listen();

/** A copy of the farm example (spec and records) the editor has open, with an unsaved edit when given. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-lsp-test-'));
fs.cpSync(path.join(root, 'examples/farmer-contract-allocation/records'), path.join(dir, 'records'), { recursive: true });
const file = path.join(dir, 'farm-ops.fspec');
const text = fs.readFileSync(path.join(root, 'examples/farmer-contract-allocation/farm-ops.fspec'), 'utf8');
fs.writeFileSync(file, text);
const uri = pathToFileURL(file).toString();

beforeAll(async () => {
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    connection.sendNotification('initialized', {});
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fspec', version: 1, text } });
});

afterAll(async () => {
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    connection.dispose();
});

describe('the fspec/test request', () => {
    test('answers the acceptance report of the open document, as fspec test --json prints it, writing nothing', async () => {
        const report = await connection.sendRequest(FactoryMethods.test, { uri, today: '2025-06-02' }) as AcceptanceReport;
        expect(report).toMatchObject({ spec: 'FarmOps', ok: true, sandbox: 'local', summary: { tests: 3, passed: 3, failed: 0, notGrown: 0 } });
        expect(report.tests.map(t => [t.name, t.status])).toEqual([['phi_blocks_untouched', 'pass'], ['tuesday_reserved', 'pass'], ['invoices_for_reserved', 'pass']]);
        expect(report.build.written).toBe(false);
        expect(fs.existsSync(path.join(dir, '.factory'))).toBe(false);
    });

    test('tests the editor\'s text, saved or not', async () => {
        const edited = text.replace('strategy priority', 'strategy lottery');
        connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
        const report = await connection.sendRequest(FactoryMethods.test, { uri, today: '2025-06-02', tests: ['tuesday_reserved'] }) as AcceptanceReport;
        expect(report.tests.map(t => [t.name, t.status])).toEqual([['tuesday_reserved', 'not-grown']]);
        connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text }] });
    });

    test('Daytona without a key is an error that says so; an unknown document is null', async () => {
        await expect(connection.sendRequest(FactoryMethods.test, { uri, sandbox: 'daytona' })).rejects.toThrow('Daytona not configured: set DAYTONA_API_KEY');
        expect(await connection.sendRequest(FactoryMethods.test, { uri: pathToFileURL(path.join(dir, 'other.fspec')).toString() })).toBeNull();
    });
});
