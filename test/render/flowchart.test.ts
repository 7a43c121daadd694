import { describe, expect, test } from 'vitest';
import { renderFlowchart, UnknownPipelineError } from '../../language-server/src/render/flowchart.js';
import { exampleGraph, graphOf } from './spec-graphs.js';

/** The diagram's lines without indentation. */
function lines(mermaid: string): string[] {
    return mermaid.trimEnd().split('\n').map(l => l.trim());
}

describe('flowchart of the farm example', async () => {
    const flow = lines(renderFlowchart(await exampleGraph('farm')).mermaid);

    test('is a left-to-right flowchart with one subgraph per pipeline, titled by the pipeline title', () => {
        expect(flow[0]).toBe('flowchart LR');
        expect(flow.filter(l => l.startsWith('subgraph '))).toEqual(['subgraph pipeline_contract_allocation ["Contract allocation"]']);
    });

    test('has the steps in order inside the subgraph, joined by next edges', () => {
        const start = flow.indexOf('subgraph pipeline_contract_allocation ["Contract allocation"]');
        const inside = flow.slice(start + 1, flow.indexOf('end', start));
        expect(inside.slice(0, 7)).toEqual([
            'step_contract_allocation_yield_forecast["Yield forecast"]',
            'gate_contract_allocation_phi_gate{{"PHI gate<br>enforces No harvest from PHI locked blocks"}}',
            'step_contract_allocation_allocate["Allocate to contracts<br>strategy priority"]',
            'step_contract_allocation_surplus["Surplus allocator<br>strategy price"]',
            'step_contract_allocation_packlists["Packlists<br>strategy group_by_buyer"]',
            'step_contract_allocation_route_plan["Route plan"]',
            'step_contract_allocation_invoices["Invoices"]'
        ]);
        expect(inside.slice(7)).toEqual([
            'step_contract_allocation_yield_forecast ==> gate_contract_allocation_phi_gate',
            'gate_contract_allocation_phi_gate ==> step_contract_allocation_allocate',
            'step_contract_allocation_allocate ==> step_contract_allocation_surplus',
            'step_contract_allocation_surplus ==> step_contract_allocation_packlists',
            'step_contract_allocation_packlists ==> step_contract_allocation_route_plan',
            'step_contract_allocation_route_plan ==> step_contract_allocation_invoices'
        ]);
    });

    test('draws entities as data stores outside the subgraphs, read into steps and output from them', () => {
        const end = flow.indexOf('end');
        const entityLines = flow.filter(l => l.startsWith('entity_') && l.includes('[("'));
        expect(entityLines).toEqual(['Block', 'Contract', 'SprayEvent', 'PriceQuote', 'Forecast', 'Allocation', 'Packlist', 'Delivery', 'Invoice']
            .map(name => `entity_${name}[("${name}")]`));
        expect(flow.indexOf(entityLines[0])).toBeGreaterThan(end);
        expect(flow).toContain('entity_Block --> step_contract_allocation_yield_forecast');
        expect(flow).toContain('step_contract_allocation_yield_forecast --> entity_Forecast');
        expect(flow).toContain('entity_SprayEvent --> gate_contract_allocation_phi_gate');
        expect(flow).toContain('step_contract_allocation_invoices --> entity_Invoice');
        expect(flow).toContain('entity_Contract -.->|"triggers"| pipeline_contract_allocation');
    });

    test('has sources feeding the entities they provide', () => {
        expect(flow).toContain('source_gov_data[/"Government crop data"/]');
        expect(flow).toContain('source_gov_data -.-> entity_Block');
        expect(flow).toContain('source_market_prices -.-> entity_PriceQuote');
        // A source that provides nothing is still part of the evidence policy.
        expect(flow).toContain('source_peer_reviewed[/"Peer reviewed agronomy"/]');
        expect(flow.filter(l => l.startsWith('source_peer_reviewed -'))).toEqual([]);
    });
});

describe('flowchart of the immigration example', async () => {
    const graph = await exampleGraph('immigration');

    test('has a subgraph per pipeline, and a gate labelled with every guardrail it enforces', () => {
        const flow = lines(renderFlowchart(graph).mermaid);
        expect(flow.filter(l => l.startsWith('subgraph '))).toEqual([
            'subgraph pipeline_policy_impact ["Policy impact"]',
            'subgraph pipeline_weekly_digest ["Weekly digest"]'
        ]);
        expect(flow).toContain('gate_policy_impact_attorney_gate{{"Attorney review<br>enforces No client communication is sent without attorney review<br>enforces Client data never leaves the practice"}}');
        expect(flow).toContain('source_case_system -.-> entity_Case');
        expect(flow).toContain('source_case_system -.-> entity_Client');
    });

    test('of one pipeline shows only it, the entities its steps touch and the sources of those', () => {
        const flow = lines(renderFlowchart(graph, { pipeline: 'weekly_digest' }).mermaid);
        expect(flow).toEqual([
            'flowchart LR',
            'subgraph pipeline_weekly_digest ["Weekly digest"]',
            'step_weekly_digest_collect["Collect the week\'s updates"]',
            'gate_weekly_digest_redact{{"Redact client data<br>enforces Client data never leaves the practice"}}',
            'step_weekly_digest_collect ==> gate_weekly_digest_redact',
            'end',
            'entity_PolicyUpdate[("PolicyUpdate")]',
            'entity_Digest[("Digest")]',
            'source_federal_register[/"Federal Register"/]',
            'source_uscis_alerts[/"USCIS policy alerts"/]',
            'entity_PolicyUpdate --> step_weekly_digest_collect',
            'step_weekly_digest_collect --> entity_Digest',
            'entity_Digest --> gate_weekly_digest_redact',
            'source_federal_register -.-> entity_PolicyUpdate',
            'source_uscis_alerts -.-> entity_PolicyUpdate'
        ]);
    });

    test('of one pipeline keeps the ids of the whole flowchart', () => {
        const whole = renderFlowchart(graph);
        const one = renderFlowchart(graph, { pipeline: 'pipeline:weekly_digest' });
        for (const [id, range] of Object.entries(one.nodeRanges)) {
            expect(whole.nodeRanges[id]).toEqual(range);
        }
    });

    test('of a pipeline the spec does not have names the ones it has', () => {
        expect(() => renderFlowchart(graph, { pipeline: 'digest' })).toThrow(UnknownPipelineError);
        expect(() => renderFlowchart(graph, { pipeline: 'digest' })).toThrow("No pipeline 'digest' in this spec. Pipelines: policy_impact, weekly_digest.");
    });
});

describe('flowchart of small specs', () => {
    test('a spec with no pipelines, entities or sources says so instead of drawing nothing', async () => {
        const graph = await graphOf('spec App version "1.0.0" {\n  identity {\n    purpose "Track things"\n    beneficiary Owner\n  }\n}\n');
        expect(renderFlowchart(graph).mermaid).toBe('flowchart LR\n  placeholder_no_flow["No pipelines, entities or sources yet"]\n');
    });

    test('a pipeline with no steps is an empty subgraph; an unread entity still shows', async () => {
        const graph = await graphOf(`spec App version "1.0.0" {
  data_contracts {
    entity Note {
      text: string
    }
  }
  workflows {
    pipeline idle {
    }
  }
}
`);
        expect(renderFlowchart(graph).mermaid).toBe('flowchart LR\n  subgraph pipeline_idle ["idle"]\n  end\n  entity_Note[("Note")]\n');
    });
});
