import * as fs from 'node:fs';
import { DefaultCompletionProvider } from 'langium/lsp';
import { expectCompletion } from 'langium/test';
import { describe, expect, test } from 'vitest';
import type { CompletionItem } from 'vscode-languageserver';
import { knownCadences } from '../../language-server/src/language/fspec-validator.js';
import { isGoverned, morphKinds, type MorphKind } from '../../language-server/src/model/morphs.js';
import { createTestServices, spec } from '../fixtures.js';

const complete = expectCompletion(createTestServices().Fspec);

const body = (marked: string) => spec(`  data_contracts {
    entity Contract {
      qty: int
    }
    entity Invoice {
      total: money
    }
  }
  workflows {
    pipeline p {
      step s reads ${marked.includes('@reads') ? '<|>' : 'Contract'}
    }
  }
  safety {
    guardrail g "G"
  }
  morph_rules {
    rule add_source risk low requires ${marked.includes('@requires') ? '<|>' : 't1'}
    ${marked.includes('@rule') ? 'rule <|>' : ''}
  }
  growth_plates {
    plate pl accepts ${marked.includes('@accepts') ? '<|>' : 'add_source'}
  }
  acceptance {
    test t1 "T"
  }
  deployment {
    cadence ${marked.includes('@cadence') ? '<|>' : 'daily'}
  }
${marked.includes('@section') ? '  <|>' : ''}`);

const labels = (items: CompletionItem[]) => items.map(i => i.label);

describe('completion', () => {
    test("a step's reads offers entities only", async () => {
        await complete({ text: body('@reads'), index: 0, assert: list => expect(labels(list.items)).toEqual(['Contract', 'Invoice']) });
    });

    test("a rule's requires offers tests only", async () => {
        await complete({ text: body('@requires'), index: 0, assert: list => expect(labels(list.items)).toEqual(['t1']) });
    });

    test("an action's on offers panels only, and its runs pipelines only", async () => {
        const ui = (action: string) => spec(`  workflows {\n    pipeline intake {\n      step s\n    }\n  }\n  interface {\n    role Clerk\n    panel board\n    panel ledger\n    action go ${action}\n  }`);
        await complete({ text: ui('on <|>'), index: 0, assert: list => expect(labels(list.items)).toEqual(['board', 'ledger']) });
        await complete({ text: ui('on board runs <|>'), index: 0, assert: list => expect(labels(list.items)).toEqual(['intake']) });
    });

    test("a stage's from offers lineage stages", async () => {
        await complete({
            text: spec('  lineage {\n    stage seed "0.1.0"\n    stage juvenile "0.2.0" from <|>\n  }'), index: 0,
            assert: list => expect(labels(list.items)).toEqual(['seed', 'juvenile'])
        });
    });

    test('a plate offers morph kinds, governed ones first, with what each does', async () => {
        await complete({
            text: body('@accepts'), index: 0, assert: list => {
                expect(labels(list.items).sort()).toEqual([...morphKinds].sort());
                const sorted = [...list.items].sort((a, b) => a.sortText!.localeCompare(b.sortText!));
                expect(sorted[0]).toMatchObject({ label: 'add_action', detail: 'add an action' });
                const firstUngoverned = sorted.findIndex(i => !isGoverned(i.label as MorphKind));
                expect(sorted.slice(firstUngoverned).every(i => !isGoverned(i.label as MorphKind))).toBe(true);
                expect(sorted[firstUngoverned].label).toBe('add_desire');
            }
        });
    });

    test('a new rule offers only governed kinds that have no rule yet', async () => {
        await complete({
            text: body('@rule'), index: 0, assert: list => {
                expect(labels(list.items)).not.toContain('add_source');
                expect(labels(list.items)).not.toContain('add_desire');
                expect(labels(list.items)).toContain('insert_gate');
            }
        });
    });

    test('a cadence offers the known cadences and not value keywords', async () => {
        await complete({ text: body('@cadence'), index: 0, assert: list => expect(labels(list.items)).toEqual(knownCadences) });
    });

    test('between sections: the missing sections as keywords and as snippets', async () => {
        await complete({
            text: body('@section'), index: 0, assert: list => {
                expect(labels(list.items)).toContain('identity');
                const snippet = list.items.find(i => i.label === 'desires …');
                expect(snippet).toMatchObject({ insertTextFormat: 2, insertText: 'desires {\n\tdesire ${1:name} {\n\t\tgoal "${2:What the user wants}"\n\t\toutput ${3:result}\n\t}\n}' });
                // Type and risk choices come from the grammar's own rules.
                expect(list.items.find(i => i.label === 'data_contracts …')!.insertText)
                    .toContain('${3|string,text,number,int,money,bool,date,datetime,weekday,duration,email,id|}');
                expect(list.items.find(i => i.label === 'morph_rules …')!.insertText).toContain('risk ${2|high,medium,low|}');
            }
        });
    });

    test('a field type offers primitive types and entities', async () => {
        await complete({
            text: spec('  data_contracts {\n    entity Block {\n      crop: string\n    }\n    entity Spray {\n      block: <|>\n    }\n  }'), index: 0,
            assert: list => {
                expect(labels(list.items)).toEqual(expect.arrayContaining(['string', 'int', 'date', 'Block', 'Spray', 'enum']));
                expect(labels(list.items)).not.toContain('high');
            }
        });
    });
});

describe('completion backtracking', () => {
    /** Langium's own token search next to ours, over the same text. */
    const ours = createTestServices().Fspec.lsp.CompletionProvider as unknown as { backtrackToAnyToken(text: string, offset: number): unknown };
    const langium = new DefaultCompletionProvider(createTestServices().Fspec) as unknown as { backtrackToAnyToken(text: string, offset: number): unknown };

    test('lexing a window around the cursor finds the same tokens as lexing the whole document', () => {
        const farm = fs.readFileSync('examples/farmer-contract-allocation/farm-ops.fspec', 'utf8');
        const longComment = `/* ${'a comment that spans lines\n'.repeat(120)} */\n`;
        const texts = [farm, farm.replace('  workflows {', `  ${longComment}  workflows {`), `${farm}\n/* unterminated`, 'spec A version "1" {'];
        for (const text of texts) {
            for (let offset = 0; offset <= text.length; offset += 13) {
                expect(ours.backtrackToAnyToken(text, offset), `offset ${offset}`).toEqual(langium.backtrackToAnyToken(text, offset));
            }
        }
    });
});
