import * as fs from 'node:fs';
import { parseHelper } from 'langium/test';
import { describe, expect, test } from 'vitest';
import type { Spec } from '../../language-server/src/generated/ast.js';
import { FactoryRequests } from '../../language-server/src/lsp/factory-requests.js';
import { createTestServices, documentUri, projectFolder } from '../fixtures.js';

const farmFolder = 'examples/farmer-contract-allocation';
const farm = fs.readFileSync(`${farmFolder}/farm-ops.fspec`, 'utf8');
const approved = fs.readFileSync(`${farmFolder}/.factory/approved/FarmOps.fspec`, 'utf8');

/** The factory requests over services holding the farm spec as /project/app.fspec, with its approved version. */
async function farmRequests(text = farm) {
    const services = createTestServices({ [`${projectFolder}/.factory/approved/FarmOps.fspec`]: approved }).Fspec;
    await parseHelper<Spec>(services)(text, { documentUri, validation: true });
    return new FactoryRequests(services);
}

describe('factory requests', () => {
    test('fspec/normalize answers the spec graph, as the CLI prints it', async () => {
        const graph = await (await farmRequests()).normalize({ uri: documentUri });
        expect([graph!.spec, graph!.version, graph!.stage]).toEqual(['FarmOps', '0.2.0', 'juvenile']);
        expect(graph!.edges).toContainEqual({ kind: 'enforces', from: 'gate:contract_allocation.phi_gate', to: 'guardrail:no_phi_harvest' });
    });

    test('fspec/render answers Mermaid text with a source range for each element node', async () => {
        const result = await (await farmRequests()).render({ uri: documentUri, mode: 'flowchart' });
        expect(result!.hasErrors).toBe(false);
        expect(result!.tooLarge).toBe(false);
        expect(result!.diagram.mermaid).toMatch(/^flowchart LR/);
        const gateLine = farm.split('\n').findIndex(l => l.includes('gate phi_gate'));
        expect(Object.values(result!.diagram.nodeRanges).some(r => r.start.line === gateLine)).toBe(true);
    });

    test('fspec/render of the board shows the growth since the approved version', async () => {
        const result = await (await farmRequests()).render({ uri: documentUri, mode: 'board' });
        expect(result!.diagram.mermaid).toContain('phi_gate');
    });

    test('fspec/render says when the spec has errors, and still renders what parsed', async () => {
        const result = await (await farmRequests(farm.replace('reads Block output Forecast', 'reads Blok output Forecast'))).render({ uri: documentUri, mode: 'mindmap' });
        expect(result!.hasErrors).toBe(true);
        expect(result!.diagram.mermaid).toMatch(/^mindmap/);
    });

    test('fspec/diff compares with the approved version by default, or with another document', async () => {
        const requests = await farmRequests();
        const result = await requests.diff({ uri: documentUri });
        expect(result!.against).toBe('/project/.factory/approved/FarmOps.fspec');
        expect(result!.morphs.map(m => m.kind)).toContain('insert_gate');
        expect((await requests.diff({ uri: documentUri, against: documentUri }))!.morphs).toEqual([]);
    });

    test('fspec/lineage lists stages and variants, the current one, and the approved version', async () => {
        const result = await (await farmRequests()).lineage({ uri: documentUri });
        expect(result!.entries.map(e => [e.name, e.version, e.variant, e.from, e.current])).toEqual([
            ['seed', '0.1.0', false, undefined, false], ['juvenile', '0.2.0', false, 'seed', true], ['juvenile_a', '0.2.0-a', true, 'juvenile', false]
        ]);
        expect(result!.entries[1].by).toEqual(['add_source contracts_feed', 'insert_gate phi_gate', 'swap_allocator allocate']);
        expect(result!.approved).toEqual({ location: '/project/.factory/approved/FarmOps.fspec', version: '0.1.0' });
        // This project is not on disk, so no git repository records its versions.
        expect(result!.recorded).toEqual([]);
    });

    test('a document the server does not have gets null, not an error', async () => {
        expect(await (await farmRequests()).render({ uri: 'file:///elsewhere/none.fspec', mode: 'flowchart' })).toBeNull();
    });
});
