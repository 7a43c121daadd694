import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CompletionItem, CompletionList, Hover, Position } from 'vscode-languageserver';
import defaultCrewDot from '../../language-server/src/crew/crew.dot';
import { parsePipeline } from '../../language-server/src/crew/engine/index.js';
import { PipelineMethods } from '../../language-server/src/protocol.js';
import { PipelineClient, projectFolder } from './pipeline-client.js';

/**
 * Pipelines in the same language server as specs, over stdio with the bundled server: diagnostics
 * as typed, hover and completion from the attribute catalog, the flowchart — and specs unchanged.
 */
const root = path.resolve(import.meta.dirname, '../..');
const project = projectFolder();
const crewUri = project.uri('.factory', 'crew.dot');
/** The shipped crew with a typo in a node type (a warning) and a condition cut short (an error). */
const broken = defaultCrewDot
    .replace('type="crew.plan"', 'type="crew.plann"')
    .replace('condition="outcome=success && context.crew.has_desires=true"', 'condition="outcome=success &&"');

let client: PipelineClient;

function at(text: string, marker: string, delta = marker.length): Position {
    const offset = text.indexOf(marker) + delta;
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before.at(-1)!.length };
}

async function complete(uri: string, text: string, marker: string, delta?: number): Promise<CompletionItem[]> {
    const list: CompletionList | null = await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: at(text, marker, delta) });
    return list?.items ?? [];
}

async function hover(uri: string, text: string, marker: string, delta = 1): Promise<string> {
    const result: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: at(text, marker, delta) });
    return (result?.contents as { value: string } | undefined)?.value ?? '';
}

beforeAll(async () => {
    client = await PipelineClient.start();
    client.open(crewUri, broken);
});

afterAll(() => client.stop());

describe('a pipeline in the editor', () => {
    test('problems are located diagnostics with the rule as code; fixing them clears them', async () => {
        const published = await client.until(() => client.diagnostics.get(crewUri));
        expect(published.diagnostics.map(d => [d.code, d.severity, d.source, d.range.start.line])).toEqual([
            ['condition_syntax', 1, 'attractor', at(broken, 'condition="outcome=success &&"').line],
            ['type_known', 2, 'attractor', at(broken, 'crew.plann').line]
        ]);
        const [condition, type] = published.diagnostics;
        expect(condition.message).toBe('invalid condition "outcome=success &&": empty clause around &&');
        const line = broken.split('\n')[condition.range.start.line];
        expect(line.slice(condition.range.start.character, condition.range.end.character)).toBe('"outcome=success &&"');
        expect(broken.split('\n')[type.range.start.line].slice(type.range.start.character, type.range.end.character)).toBe('"crew.plann"');

        client.change(crewUri, defaultCrewDot);
        await client.until(() => client.diagnostics.get(crewUri)?.version === 2);
        expect(client.diagnostics.get(crewUri)!.diagnostics).toEqual([]);
        client.change(crewUri, broken);
        await client.until(() => client.diagnostics.get(crewUri)?.version === 3);
    });

    test('outside .factory a pipeline is linted without the crew\'s vocabulary, unless it uses crew types', async () => {
        const uri = project.uri('flows', 'plain.dot');
        client.open(uri, 'digraph plain {\n  start [shape=Mdiamond]\n  step [role="Planner", prompt="Do it"]\n  done [shape=Msquare]\n  start -> step -> done\n}\n');
        const published = await client.until(() => client.diagnostics.get(uri));
        expect(published.diagnostics.map(d => [d.code, d.message])).toEqual([['attribute_known', 'unknown node attribute "role"']]);
        client.close(uri);
        await client.until(() => client.diagnostics.get(uri)?.diagnostics.length === 0);
    });

    test('hover on an attribute shows its catalog entry; on a shape or type value, the handler', async () => {
        const text = broken.replace('[type="crew.refine", role="Planner"', '[type="crew.refine", max_retries=2, role="Planner"');
        client.change(crewUri, text);
        expect(await hover(crewUri, text, 'max_retries')).toMatch(/^\*\*max_retries\*\* — node attribute · `integer` · Attractor §2\.6\n\nAdditional attempts beyond the first execution/);
        expect(await hover(crewUri, text, 'shape=hexagon', 'shape='.length + 1)).toMatch(/^\*\*shape hexagon\*\* — handler `wait\.human`: A human gate/);
        expect(await hover(crewUri, text, 'crew.safety"', 2)).toMatch(/^\*\*type crew\.safety\*\* — handler `crew\.safety`: A step of the Factory crew, run while a spec grows \(role Safety\): Identity invariants and morph rules\./);
        expect(await hover(crewUri, text, 'crew.plann"', 2)).toMatch(/^\*\*type crew\.plann\*\* — handler `crew\.plann`, which is not registered/);
        expect(await hover(crewUri, text, 'role="Planner"')).toMatch(/^\*\*role\*\* — node attribute · `string` · the crew\n\nThe crew role/);
        expect(await hover(crewUri, text, 'condition=')).toMatch(/^\*\*condition\*\* — edge attribute · `condition`/);
        expect(await hover(crewUri, text, 'goal=')).toMatch(/^\*\*goal\*\* — graph attribute · `string`/);
        expect(await hover(crewUri, text, 'node [shape=box]', 'node ['.length + 1)).toMatch(/^\*\*shape\*\* — node default · `enum` · default `box`/);
        expect(await hover(crewUri, text, '    review ', 5)).toMatch(/^\*\*review\*\* — "Review the mutation PR", handler `wait\.human`/);
    });

    test('completion: attribute keys inside [ ], values after key=', async () => {
        const text = `${broken.slice(0, broken.lastIndexOf('}'))}    extra [shape=, type=, max_retries=2, ]\n    audit [type="", retry_target=]\n}\n`;
        client.change(crewUri, text);
        const shapes = await complete(crewUri, text, 'extra [shape=');
        expect(shapes.map(i => i.label)).toEqual(['Mdiamond', 'Msquare', 'box', 'hexagon', 'diamond', 'component', 'tripleoctagon', 'parallelogram', 'house']);
        expect(shapes.find(i => i.label === 'hexagon')).toMatchObject({ detail: 'handler wait.human', textEdit: { newText: 'hexagon' } });
        const types = await complete(crewUri, text, 'shape=, type=');
        expect(types.map(i => i.label)).toEqual(expect.arrayContaining(['codergen', 'wait.human', 'tool', 'crew.plan', 'crew.safety']));
        // Bare, a value with a dot is quoted; inside quotes it is not.
        expect(types.find(i => i.label === 'wait.human')!.textEdit!.newText).toBe('"wait.human"');
        const quoted = await complete(crewUri, text, 'audit [type="');
        expect(quoted.find(i => i.label === 'crew.plan')!.textEdit!.newText).toBe('crew.plan');
        const keys = await complete(crewUri, text, 'max_retries=2, ');
        const labels = keys.map(i => i.label);
        expect(labels).toEqual(expect.arrayContaining(['label', 'prompt', 'goal_gate', 'role', 'timeout', 'llm_model']));
        // Keys already written in the list are not offered again; the engine's come before Graphviz's cosmetics.
        expect(labels).not.toContain('shape');
        expect(labels).not.toContain('max_retries');
        expect(labels.indexOf('label')).toBeLessThan(labels.indexOf('color'));
        expect(keys.find(i => i.label === 'goal_gate')!.textEdit!.newText).toBe('goal_gate=');
        const targets = await complete(crewUri, text, 'retry_target=');
        expect(targets.map(i => i.label)).toEqual(expect.arrayContaining(['start', 'plan', 'review', 'done', 'extra']));
        expect(targets.map(i => i.label)).not.toContain('audit');
        const edgeKeys = await complete(crewUri, text, 'review -> migrate [', 'review -> migrate ['.length);
        expect(edgeKeys.map(i => i.label)).toEqual(expect.arrayContaining(['condition', 'weight', 'loop_restart']));
        expect(edgeKeys.map(i => i.label)).not.toContain('label');
    });

    test('completion of llm_provider and llm_model offers pi-ai\'s models, loaded on first use', async () => {
        const uri = project.uri('flows', 'models.dot');
        const text = 'digraph m {\n  a [llm_provider=anthropic, llm_model=]\n  b [llm_provider=]\n}\n';
        client.open(uri, text);
        const providers = await complete(uri, text, 'b [llm_provider=');
        expect(providers.map(i => i.label)).toEqual(expect.arrayContaining(['anthropic', 'openai']));
        const anthropic = await complete(uri, text, 'llm_model=');
        expect(anthropic.length).toBeGreaterThan(0);
        expect(anthropic.every(i => i.detail?.startsWith('anthropic'))).toBe(true);
    });

    test('fspec/renderPipeline draws the default crew: every node, from the editor\'s text or the file', async () => {
        const crew = project.uri('crew-copy.dot');
        fs.writeFileSync(project.file('crew-copy.dot'), defaultCrewDot);
        const result = await client.connection.sendRequest(PipelineMethods.renderPipeline, { uri: crew });
        expect(result!.hasErrors).toBe(false);
        expect(result!.diagram.mermaid).toMatch(/^flowchart TD\n/);
        for (const node of parsePipeline(defaultCrewDot).graph!.nodes.values()) {
            expect(result!.diagram.mermaid).toContain(`  ${node.id}`);
            expect(result!.diagram.nodeRanges).toHaveProperty(node.id);
        }
        const edited = await client.connection.sendRequest(PipelineMethods.renderPipeline, { uri: crewUri });
        expect(edited!.hasErrors).toBe(true);
        expect(await client.connection.sendRequest(PipelineMethods.renderPipeline, { uri: project.uri('none.dot') })).toBeNull();
    });
});

describe('specs in the same session', () => {
    test('a .fspec document still gets its diagnostics and hover', async () => {
        const uri = project.uri('farm.fspec');
        const text = fs.readFileSync(path.join(root, 'examples/farmer-contract-allocation/farm-ops.fspec'), 'utf8').replace('reads Block output Forecast', 'reads Blok output Forecast');
        client.open(uri, text, 'fspec');
        const published = await client.until(() => client.diagnostics.get(uri), 30_000);
        expect(published.diagnostics.map(d => [d.message, d.code])).toEqual([
            ["Unknown entity 'Blok'. Did you mean 'Block'?", 'linking-error'],
            ["Desire 'buyer_invoices' is not realized yet: nothing in the spec produces 'invoice_board'.", 'pending-desire']
        ]);
        expect(await hover(uri, text, 'enforces no_phi_harvest', 'enforces n'.length)).toMatch(/^\*\*guardrail\*\* `no_phi_harvest`/);
        const completion: CompletionList = await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: at(text, 'reads PriceQuote', 'reads '.length) });
        expect(completion.items.map(i => i.label)).toContain('PriceQuote');
        // Requests Langium serves for specs answer null for a pipeline, rather than an error.
        expect(await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: crewUri } })).toBeNull();
        expect(await client.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri: crewUri } })).toBeNull();
    });
});
