import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CodeAction, CompletionList, Hover, InitializeResult, LocationLink, PublishDiagnosticsParams, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FactoryMethods, type ModelChangedParams } from '../../language-server/src/protocol.js';

/**
 * The headless proof: the bundled server as a child process, driven over stdio by a plain JSON-RPC
 * client, the way Neovim, Emacs or Helix drive it.
 */
const root = path.resolve(import.meta.dirname, '../..');
const server = spawn(process.execPath, [path.join(root, 'bin/fspec-language-server.cjs'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
connection.listen();

const uri = pathToFileURL(path.join(root, 'examples/scratch.fspec')).toString();
const text = fs.readFileSync(path.join(root, 'examples/farmer-contract-allocation/farm-ops.fspec'), 'utf8').replace('reads Block output Forecast', 'reads Blok output Forecast');
const lines = text.split('\n');
const at = (marker: string, delta = 0) => {
    const line = lines.findIndex(l => l.includes(marker));
    return { line, character: lines[line].indexOf(marker) + delta };
};

let diagnostics: PublishDiagnosticsParams;
let modelChanged: ModelChangedParams;

beforeAll(async () => {
    const initialized: InitializeResult = await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    expect(initialized.capabilities.completionProvider).toBeDefined();
    connection.sendNotification('initialized', {});
    const published = new Promise<PublishDiagnosticsParams>(resolve => connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        if (p.uri === uri) {
            resolve(p);
        }
    }));
    const changed = new Promise<ModelChangedParams>(resolve => connection.onNotification(FactoryMethods.modelChanged.method, (p: ModelChangedParams) => {
        if (p.uris.includes(uri)) {
            resolve(p);
        }
    }));
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fspec', version: 1, text } });
    [diagnostics, modelChanged] = await Promise.all([published, changed]);
});

afterAll(async () => {
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    connection.dispose();
});

describe('the language server over stdio', () => {
    test('publishes located diagnostics for an opened spec and announces its model', () => {
        expect(diagnostics.diagnostics.map(d => [d.message, d.range.start.line, d.code])).toEqual([
            ["Unknown entity 'Blok'. Did you mean 'Block'?", at('reads Blok').line, 'linking-error'],
            // The example ships with one desire the spec does not realize yet.
            ["Desire 'buyer_invoices' is not realized yet: nothing in the spec produces 'invoice_board'.", at('desire buyer_invoices').line, 'pending-desire']
        ]);
        expect(modelChanged.uris).toContain(uri);
    });

    test('answers completion, hover and definition', async () => {
        const completion: CompletionList = await connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: at('reads PriceQuote', 'reads '.length) });
        expect(completion.items.map(i => i.label)).toContain('PriceQuote');
        const hover: Hover = await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: at('enforces no_phi_harvest', 'enforces n'.length) });
        expect((hover.contents as { value: string }).value).toMatch(/^\*\*guardrail\*\* `no_phi_harvest` — No harvest from PHI locked blocks/);
        const definition: LocationLink[] = await connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: at('enforces no_phi_harvest', 'enforces n'.length) });
        expect(definition.map(l => [l.targetUri, l.targetSelectionRange.start.line])).toEqual([[uri, at('guardrail no_phi_harvest').line]]);
    });

    test('offers the closest name as a quick fix for the unresolved reference', async () => {
        const diagnostic = diagnostics.diagnostics[0];
        const actions: CodeAction[] = await connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
        expect(actions.map(a => a.title)).toContain("Change to 'Block'");
    });

    test('formats the document into its canonical layout', async () => {
        const edits: TextEdit[] = await connection.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } });
        // The example is already in the canonical layout: nothing to change.
        expect(edits).toEqual([]);
        const messy = 'spec   Tiny version "1.0.0" {identity {purpose "P"\n beneficiary   Owner}}';
        const tiny = uri.replace('scratch.fspec', 'tiny.fspec');
        connection.sendNotification('textDocument/didOpen', { textDocument: { uri: tiny, languageId: 'fspec', version: 1, text: messy } });
        const formatted: TextEdit[] = await connection.sendRequest('textDocument/formatting', { textDocument: { uri: tiny }, options: { tabSize: 2, insertSpaces: true } });
        expect(TextDocument.applyEdits(TextDocument.create(tiny, 'fspec', 1, messy), formatted))
            .toBe('spec Tiny version "1.0.0" {\n\n  identity {\n    purpose "P"\n    beneficiary Owner\n  }\n}');
    });

    test('renders the spec through fspec/render', async () => {
        const result = await connection.sendRequest(FactoryMethods.render, { uri, mode: 'lineage' });
        expect(result!.hasErrors).toBe(true);
        expect(result!.diagram.mermaid).toMatch(/^graph TD/);
    });

    test('a pipeline the spec does not have is an invalid-params error naming the pipelines it has', async () => {
        await expect(connection.sendRequest(FactoryMethods.render, { uri, mode: 'flowchart', pipeline: 'nope' }))
            .rejects.toMatchObject({ code: -32602, message: expect.stringContaining("No pipeline 'nope'") });
    });
});
