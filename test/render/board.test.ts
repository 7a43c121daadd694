import { describe, expect, test } from 'vitest';
import type { Morph } from '../../language-server/src/model/morphs.js';
import { recordsMorph, renderBoard } from '../../language-server/src/render/board.js';
import { growthState } from '../../language-server/src/render/growth-state.js';
import { exampleGraph, graphOf } from './spec-graphs.js';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The card labels of each column, as written (escaped). */
function columns(mermaid: string): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    let current: string[] | undefined;
    for (const line of mermaid.split('\n').map(l => l.trim())) {
        const title = /^subgraph \w+ \["(.*)"\]$/.exec(line)?.[1];
        if (title !== undefined) {
            current = result[title] = [];
        } else if (line === 'end') {
            current = undefined;
        } else if (current && /^\w+\["/.test(line) && !line.includes('_empty[')) {
            current.push(/"(.*)"/.exec(line)![1]);
        }
    }
    return result;
}

const approvedText = (example: string, name: string) =>
    fs.readFileSync(path.resolve(import.meta.dirname, '../../examples', example, '.factory/approved', `${name}.fspec`), 'utf8');

const identity = '  identity {\n    purpose "Track things"\n    beneficiary Owner\n  }\n';

describe('board', () => {
    test('always shows the four columns, empty ones with an invisible spacer and no cards', async () => {
        const graph = await graphOf(`spec App version "1.0.0" {\n${identity}}\n`);
        expect(renderBoard(graph).mermaid).toBe(`flowchart LR
  subgraph column_backlog ["Backlog"]
    direction TB
    column_backlog_empty[" "]
  end
  subgraph column_in_progress ["In progress"]
    direction TB
    column_in_progress_empty[" "]
  end
  subgraph column_review ["Review"]
    direction TB
    column_review_empty[" "]
  end
  subgraph column_done ["Done"]
    direction TB
    column_done_empty[" "]
  end
  column_backlog ~~~ column_in_progress ~~~ column_review ~~~ column_done
  classDef emptyColumn fill:none,stroke:none
  class column_backlog_empty,column_in_progress_empty,column_review_empty,column_done_empty emptyColumn
`);
    });

    test('backlog holds the desires the spec does not produce yet, matched without case, separators or plurals', async () => {
        const graph = await graphOf(`spec App version "1.0.0" {
${identity}  desires {
    desire lists "Lists" { output packlists, deliveries }
    desire drafts "Drafts" { output client_drafts }
    desire half "Half done" { output packlists, invoices }
    desire vague "No outputs yet" { goal "Something" }
  }
  data_contracts {
    entity Delivery { when: date }
    entity ClientDraft { body: text }
  }
  workflows {
    pipeline weekly {
      step packlists
    }
  }
}
`);
        expect(columns(renderBoard(graph).mermaid).Backlog).toEqual(['Half done', 'No outputs yet']);
    });

    test('in progress and review hold the refused and allowed morphs since the approved version', async () => {
        const base = `${identity}  evidence_policy {\n    source feed tier high\n  }\n  workflows {\n    pipeline p {\n      step a\n      step b\n    }\n  }\n  growth_plates {\n    plate sources accepts add_source\n  }\n  morph_rules {\n    rule add_source risk low\n  }\n`;
        const approved = await graphOf(`spec App version "1.0.0" {\n${base}}\n`);
        const current = await graphOf(`spec App version "1.1.0" {\n${base.replace('      step b\n', '').replace('source feed tier high', 'source feed tier high\n    source news tier low')}}\n`);
        const board = columns(renderBoard(current, growthState(approved, current)).mermaid);
        expect(board['In progress']).toEqual(["remove_step<br>step 'b' removed from pipeline 'p'"]);
        expect(board.Review).toEqual(["add_source<br>source 'news' added"]);
    });

    test('done holds the morphs the lineage records, except those still pending review', async () => {
        const current = await exampleGraph('immigration');
        const approved = await graphOf(approvedText('immigration-policy-impact', 'PolicyImpact'));
        const growth = growthState(approved, current);
        expect(growth.refused).toEqual([]);
        const board = columns(renderBoard(current, growth).mermaid);
        expect(board.Done).toEqual([
            'add_source uscis_alerts<br>juvenile v0.5.0', 'add_step rank_impacts<br>juvenile v0.5.0',
            'insert_gate attorney_gate<br>mature v1.0.0', 'add_surface drafts<br>mature v1.0.0'
        ]);
        expect(board.Review).toContain("add_pipeline<br>pipeline 'weekly_digest' added");
        expect(board.Review).toContain("add_surface<br>panel 'digest' added");
        // The desire the example ships with, not realized yet.
        expect(board.Backlog).toEqual(['Attorneys see the drafts to review']);
    });

    test('without growth, every morph the lineage records is done; the pending desire waits in the backlog', async () => {
        const board = columns(renderBoard(await exampleGraph('farm')).mermaid);
        expect(board.Done).toEqual([
            'add_source contracts_feed<br>juvenile v0.2.0', 'insert_gate phi_gate<br>juvenile v0.2.0',
            'swap_allocator allocate<br>juvenile v0.2.0', 'add_surface buyer_portal<br>juvenile_a v0.2.0-a'
        ]);
        expect([board.Backlog, board['In progress'], board.Review]).toEqual([['Buyers see what they owe'], [], []]);
    });

    test('cards keep their order in a column, top to bottom', async () => {
        const mermaid = renderBoard(await exampleGraph('farm')).mermaid;
        expect(mermaid).toContain('    lineage_stage_juvenile_add_source_contracts_feed ~~~ lineage_stage_juvenile_insert_gate_phi_gate ~~~ lineage_stage_juvenile_swap_allocator_allocate ~~~ lineage_stage_juvenile_a_add_surface_buyer_portal\n');
    });
});

test('a lineage entry records a morph by kind and target, qualified or not', () => {
    const morph = { kind: 'swap_allocator', target: 'step:contract_allocation.allocate' } as Morph;
    expect(recordsMorph('swap_allocator allocate', morph)).toBe(true);
    expect(recordsMorph('swap_allocator contract_allocation.allocate', morph)).toBe(true);
    expect(recordsMorph('swap_allocator', morph)).toBe(true);
    expect(recordsMorph('swap_allocator surplus', morph)).toBe(false);
    expect(recordsMorph('add_step allocate', morph)).toBe(false);
    expect(recordsMorph('swap_allocator cate', morph)).toBe(false);
});
