import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CodeAction, Diagnostic, InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver';
import { sha256, withoutBodies } from '../../language-server/src/compiler/regions.js';
import { readManifest } from '../../language-server/src/compiler/write-build.js';
import type { ReconvergeResult } from '../../language-server/src/lsp/drift-actions.js';
import { allocateFile, allocateSignature, bodyLine, DriftProject, editedBodyLine, editedSignature } from './drift-project.js';

/**
 * Drift detected and re-converged through the bundled server over stdio, driven by a plain
 * JSON-RPC client as any LSP client would: the diagnostic, its quick fixes, `workspace/executeCommand`,
 * and `workspace/didChangeWatchedFiles` for a build file edited while the spec is open.
 */
const root = path.resolve(import.meta.dirname, '../..');
const server = spawn(process.execPath, [path.join(root, 'bin/fspec-language-server.cjs'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
const published: PublishDiagnosticsParams[] = [];
const waiters: Array<() => void> = [];
connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    published.push(params);
    waiters.splice(0).forEach(wake => wake());
});
const messages: string[] = [];
connection.onNotification('window/showMessage', ({ message }: { message: string }) => {
    messages.push(message);
});
connection.listen();

let project: DriftProject;
let uri: string;
let initialized: InitializeResult;

const driftOf = (params: PublishDiagnosticsParams) => params.diagnostics.filter(d => d.code === 'drift');

/** The first diagnostics published for the spec after the `since`-th publication that satisfy `wanted`. */
async function diagnosticsAfter(since: number, wanted: (drift: Diagnostic[]) => boolean): Promise<PublishDiagnosticsParams> {
    for (;;) {
        const found = published.slice(since).find(p => p.uri === uri && wanted(driftOf(p)));
        if (found) {
            return found;
        }
        await new Promise<void>(resolve => waiters.push(resolve));
    }
}

beforeAll(async () => {
    project = await DriftProject.create();
    project.edit(allocateFile, allocateSignature, editedSignature);
    project.edit(allocateFile, bodyLine, editedBodyLine);
    uri = pathToFileURL(project.spec).toString();
    initialized = await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    connection.sendNotification('initialized', {});
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fspec', version: 1, text: fs.readFileSync(project.spec, 'utf8') } });
});

afterAll(async () => {
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    connection.dispose();
});

describe('drift over LSP', () => {
    test('announces the re-converge command', () => {
        expect(initialized.capabilities.executeCommandProvider?.commands).toContain('fspec.drift.reconverge');
    });

    test('drift detected and re-converged: the file is generated again, its body edit kept, the diagnostic gone', async () => {
        const before = await diagnosticsAfter(0, drift => drift.length > 0);
        const [drift] = driftOf(before);
        expect(drift).toMatchObject({ severity: 2, range: { start: { line: project.lineOf('step allocate') } }, data: { file: allocateFile, change: 'edited' } });
        expect(drift.message).toMatch(/^\.factory\/build\/0\.2\.0\/src\/pipelines\/contract_allocation\/allocate\.ts was edited outside its marked body/);

        const actions: CodeAction[] = await connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: drift.range, context: { diagnostics: [drift] } });
        expect(actions.map(a => a.title)).toEqual([
            `Re-converge: regenerate ${allocateFile} from the spec`,
            "Propose as morph: add desire 'keep_allocate_edit' describing the edit"
        ]);
        expect(actions[1].edit?.changes?.[uri]?.[0].newText).toContain('desire keep_allocate_edit');
        const command = actions[0].command!;

        const since = published.length;
        const result: ReconvergeResult = await connection.sendRequest('workspace/executeCommand', { command: command.command, arguments: command.arguments });
        expect(result).toMatchObject({ spec: 'FarmOps', version: '0.2.0', out: project.out, reconverged: [allocateFile], written: [allocateFile, 'manifest.json'], kept: ['contract_allocation.allocate'] });
        const after = await diagnosticsAfter(since, found => found.length === 0);
        expect(driftOf(after)).toEqual([]);
        expect(messages).toContain(`Re-converged FarmOps 0.2.0 in .factory/build/0.2.0: regenerated ${allocateFile}; kept the bodies edited by hand of contract_allocation.allocate.`);

        const text = fs.readFileSync(project.file(allocateFile), 'utf8');
        expect(text).toContain(allocateSignature);
        expect(text).not.toContain(editedSignature);
        expect(text).toContain(editedBodyLine);
        expect(sha256(withoutBodies(text))).toBe(readManifest(project.out)!.files.find(f => f.path === allocateFile)!.sha256);
        expect(readManifest(project.out)!.bodies.find(b => b.stage === 'contract_allocation.allocate')?.grown).toBe('edited');
    });

    test('a build file edited while the spec is open drifts as soon as the client reports the change', async () => {
        await diagnosticsAfter(0, drift => drift.length === 0);
        const since = published.length;
        fs.rmSync(project.file('src/types.ts'));
        connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(project.file('src/types.ts')).toString(), type: 3 }] });
        const after = await diagnosticsAfter(since, drift => drift.length > 0);
        expect(driftOf(after).map(d => [d.data && (d.data as { file: string }).file, (d.data as { change: string }).change, d.range.start.line]))
            .toEqual([['src/types.ts', 'deleted', project.lineOf('spec FarmOps')]]);
    });

    test('re-converging a spec the server does not have is refused', async () => {
        const missing = pathToFileURL(path.join(path.dirname(project.spec), 'other.fspec')).toString();
        await expect(connection.sendRequest('workspace/executeCommand', { command: 'fspec.drift.reconverge', arguments: [missing] }))
            .rejects.toThrow(`The language server has no spec file ${missing}.`);
    });
});
