import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { ApplyWorkspaceEditParams, CodeLens } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FactoryMethods, type GrowthResult, type PlanResult, type RunEventParams } from '../../language-server/src/protocol.js';
import type { Sandbox } from '../lineage/git-sandbox.js';
import { exampleRepository } from '../crew/example-repository.js';

/**
 * The crew over LSP, as an editor drives it: the bundled server over stdio, a client that applies
 * the server's edits and saves on request, and a real git repository holding the farmer example.
 */
const root = path.resolve(import.meta.dirname, '../..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-home-'));
const tuesday = '    desire tuesday_first {\n      goal "Reserve Tuesday contracts first"\n      output packlists, invoices, shortfall_alerts\n    }\n';

let connection: MessageConnection;
const events: RunEventParams[] = [];
const edits: ApplyWorkspaceEditParams[] = [];
const saved: string[] = [];
/** The editor's buffers: what applyEdit changes and fspec/save writes. */
const buffers = new Map<string, TextDocument>();

function project(): { sandbox: Sandbox, file: string, uri: string, text: string } {
    const { sandbox, file, text } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesday);
    const uri = pathToFileURL(file).toString();
    buffers.set(uri, TextDocument.create(uri, 'fspec', 1, text));
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fspec', version: 1, text } });
    return { sandbox, file, uri, text };
}

beforeAll(async () => {
    // No global git identity: the crew's own identity signs the lineage commits.
    const server = spawn(process.execPath, [path.join(root, 'bin/fspec-language-server.cjs'), '--stdio'],
        { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home } });
    connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
    connection.onNotification(FactoryMethods.runEvent.method, (params: RunEventParams) => { events.push(params); });
    connection.onRequest('workspace/applyEdit', (params: ApplyWorkspaceEditParams) => {
        edits.push(params);
        for (const [uri, changes] of Object.entries(params.edit.changes ?? {})) {
            const buffer = buffers.get(uri)!;
            buffers.set(uri, TextDocument.create(uri, 'fspec', buffer.version + 1, TextDocument.applyEdits(buffer, changes)));
        }
        return { applied: true };
    });
    connection.onRequest(FactoryMethods.save.method, ({ uri }: { uri: string }) => {
        saved.push(uri);
        fs.writeFileSync(new URL(uri), buffers.get(uri)!.getText());
        return true;
    });
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { saveRequest: true } });
    connection.sendNotification('initialized', {});
});

afterAll(async () => {
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
    connection.dispose();
});

describe('the crew over LSP', () => {
    it('offers Grow over pending desires and plans them without starting a run', async () => {
        const { uri } = project();
        const plan: PlanResult = await connection.sendRequest(FactoryMethods.plan.method, { uri });
        expect(plan.input.new_desires.map(d => d.name)).toEqual(['tuesday_first']);
        expect(plan.output.morphs.map(m => m.type)).toEqual(['add_step', 'add_test']);
        const lenses: CodeLens[] = await connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
        expect(lenses.map(l => l.command)).toContainEqual({ title: 'Grow: 1 new desire (tuesday_first)', command: 'fspec.grow', arguments: [uri] });
    });

    it('simulates up to review, then applies the approved growth through the editor and records it in git', async () => {
        const { sandbox, file, uri, text } = project();
        const review: GrowthResult = await connection.sendRequest(FactoryMethods.simulate.method, { uri });
        expect(review.status).toBe('awaiting-review');
        expect(review.pr?.before).toBe(text);
        expect(fs.readFileSync(file, 'utf8')).toBe(text);
        const runEvents = events.filter(e => e.runId === review.runId).map(e => e.event);
        expect(runEvents).toContainEqual({ kind: 'stage', node: 'safety', label: 'Identity invariants and morph rules', role: 'Safety', status: 'completed' });
        expect(runEvents.at(-1)).toEqual({ kind: 'review', result: review });

        const grown: GrowthResult = await connection.sendRequest(FactoryMethods.deploy.method, { runId: review.runId, decision: 'approve' });
        expect(grown).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.3.0' });
        expect(edits.at(-1)?.label).toBe('Grow spec');
        expect(saved).toContain(uri);
        expect(fs.readFileSync(file, 'utf8')).toBe(review.pr?.after);
        expect(sandbox.git('tag', '--list').trim()).toBe('fspec/FarmOps/v0.3.0');
        expect(events.filter(e => e.runId === review.runId).at(-1)?.event).toEqual({ kind: 'finished', result: grown });
    });

    it('ends a cancelled run waiting for review without touching the spec, and refuses an answer for it', async () => {
        const { file, uri, text } = project();
        const review: GrowthResult = await connection.sendRequest(FactoryMethods.simulate.method, { uri });
        await connection.sendRequest(FactoryMethods.cancel.method, { runId: review.runId });
        await expect.poll(() => events.find(e => e.runId === review.runId && e.event.kind === 'finished')?.event).toMatchObject({ result: { status: 'cancelled' } });
        await expect(connection.sendRequest(FactoryMethods.deploy.method, { runId: review.runId, decision: 'approve' }))
            .rejects.toThrow(`No growth run ${review.runId} is waiting for review`);
        expect(fs.readFileSync(file, 'utf8')).toBe(text);
    });
});
