import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver';

const root = path.resolve(import.meta.dirname, '../..');
const server = spawn(process.execPath, [path.join(root, 'bin/fspec-language-server.cjs'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
connection.listen();

afterAll(async () => {
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    connection.dispose();
});

test('the language server speaks LSP over stdio and publishes located diagnostics for an opened spec', async () => {
    const initialized: InitializeResult = await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    expect(initialized.capabilities.completionProvider).toBeDefined();
    expect(initialized.capabilities.definitionProvider).toBeTruthy();
    connection.sendNotification('initialized', {});

    const uri = pathToFileURL(path.join(root, 'examples/scratch.fspec')).toString();
    const text = fs.readFileSync(path.join(root, 'examples/farmer-contract-allocation/farm-ops.fspec'), 'utf8').replace('reads Block output Forecast', 'reads Blok output Forecast');
    const published = new Promise<PublishDiagnosticsParams>(resolve => {
        connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
            if (params.uri === uri) {
                resolve(params);
            }
        });
    });
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fspec', version: 1, text } });
    const { diagnostics } = await published;
    const line = text.split('\n').findIndex(l => l.includes('reads Blok'));
    expect(diagnostics.map(d => [d.message, d.range.start.line])).toEqual([["Unknown entity 'Blok'. Did you mean 'Block'?", line]]);
});
