import * as fs from 'node:fs';
import { expectSemanticToken, highlightHelper, type DecodedSemanticTokensWithRanges } from 'langium/test';
import { SemanticTokenTypes as Type } from 'vscode-languageserver';
import { beforeAll, describe, expect, test } from 'vitest';
import { createTestServices } from '../fixtures.js';

const services = createTestServices().Fspec;
const provider = services.lsp.SemanticTokenProvider!;

/**
 * One spec touching every kind of token; `<|...|>` marks the tokens under test, in order:
 * the comment at the top is left to TextMate and has no marker.
 */
const text = `/* comments are left to TextMate */
spec <|Farm|> version <|"1.0.0"|> stage <|juvenile|> {
  <|identity|> {
    purpose "Grow food"
    beneficiary <|Farmer|>
    prohibit remove beneficiary <|Farmer|>
    prohibit morph <|remove_guardrail|>
  }
  evidence_policy {
    minimum_tier <|medium|>
    source gov "Gov" tier high cadence <|daily|> provides Block
  }
  data_contracts {
    entity <|Block|> "A block" {
      <|date|>: <|date|> <|phi|>
      status: enum(<|open|>, closed)
      plan: <|Plan|>?
    }
    entity Plan {
      block: Block
    }
  }
  workflows {
    pipeline <|contract_allocation|> trigger <|nightly|>, on <|Block|> {
      step <|allocate|> reads Block output Plan
      gate <|phi_gate|> reads Block enforces <|no_phi|>
    }
  }
  interface {
    role <|Grower|>
    panel <|board|> shows <|Block|>.<|date|> for <|Grower|>
    action <|approve|> on board runs <|contract_allocation|> for Grower
  }
  safety {
    guardrail <|no_phi|> "No harvest in PHI"
  }
  personalization {
    preference <|units|> "Metric"
    heuristic <|derate|> "Derate" on <|contract_allocation|>.<|allocate|>
  }
  deployment {
    retention Block <|7|> <|years|>
  }
  organs {
    organ <|core|> includes <|allocate|>, <|phi_gate|>, <|gov|>
  }
  growth_plates {
    plate <|gates|> accepts <|insert_gate|> at <|contract_allocation|>
  }
  morph_rules {
    rule <|insert_gate|> risk <|high|> requires <|gate_holds|> review <|human|>
    rule add_step risk <|low|>
  }
  acceptance {
    test <|gate_holds|> "PHI blocks untouched" covers <|phi_gate|>
  }
  lineage {
    stage seed "0.1.0"
    stage <|juvenile|> "0.2.0" from <|seed|> by <|insert_gate|> phi_gate
  }
}
`;

/** Expected token type and modifiers of each marked range, in order. */
const expected: Array<[string, string, string[]?]> = [
    ['Farm', Type.namespace, ['declaration']], ['"1.0.0"', Type.string], ['juvenile', Type.label],
    ['identity', Type.namespace, ['defaultLibrary']], ['Farmer', Type.variable, ['declaration', 'readonly']],
    ['Farmer', Type.variable, ['readonly']], ['remove_guardrail', Type.macro],
    ['medium', Type.enumMember], ['daily', Type.enumMember],
    ['Block', Type.class, ['declaration']], ['date', Type.property, ['declaration']], ['date', Type.type, ['defaultLibrary']],
    ['phi', Type.modifier], ['open', Type.enumMember], ['Plan', Type.class],
    ['contract_allocation', Type.namespace, ['declaration']], ['nightly', Type.enumMember], ['Block', Type.class],
    ['allocate', Type.function, ['declaration']], ['phi_gate', Type.function, ['declaration', 'gate']], ['no_phi', Type.decorator],
    ['Grower', Type.type, ['declaration']], ['board', Type.interface, ['declaration']], ['Block', Type.class], ['date', Type.property],
    ['Grower', Type.type], ['approve', Type.event, ['declaration']], ['contract_allocation', Type.namespace],
    ['no_phi', Type.decorator, ['declaration']],
    ['units', Type.parameter, ['declaration']], ['derate', Type.parameter, ['declaration']],
    ['contract_allocation', Type.namespace], ['allocate', Type.function],
    ['7', Type.number], ['years', Type.enumMember],
    ['core', Type.namespace, ['declaration']], ['allocate', Type.function], ['phi_gate', Type.function, ['gate']], ['gov', Type.variable],
    ['gates', Type.typeParameter, ['declaration']], ['insert_gate', Type.macro], ['contract_allocation', Type.namespace],
    ['insert_gate', Type.macro, ['declaration']], ['high', Type.enumMember, ['riskHigh']], ['gate_holds', Type.method],
    ['human', Type.enumMember], ['low', Type.enumMember, ['riskLow']],
    ['gate_holds', Type.method, ['declaration']], ['phi_gate', Type.function, ['gate']],
    ['juvenile', Type.label, ['declaration']], ['seed', Type.label], ['insert_gate', Type.macro]
];

function modifierNames(bits: number): string[] {
    return Object.entries(provider.tokenModifiers).filter(([, bit]) => bits & bit).map(([name]) => name).sort();
}

describe('semantic tokens', () => {
    let result: DecodedSemanticTokensWithRanges;
    beforeAll(async () => {
        result = await highlightHelper(services)(text);
    });

    test('every marked range is one token of the expected type and modifiers', () => {
        expect(result.ranges).toHaveLength(expected.length);
        expected.forEach(([word, tokenType, modifiers = []], rangeIndex) => {
            const [start, end] = result.ranges[rangeIndex];
            const token = result.tokens.find(t => t.offset === start && t.offset + t.text.length === end);
            expect(token?.text, `range ${rangeIndex}`).toBe(word);
            expectSemanticToken(result, { rangeIndex, tokenType: tokenType as Type });
            expect(modifierNames(token!.tokenModifiers), `${word} (range ${rangeIndex})`).toEqual([...modifiers].sort());
        });
    });

    test('tokens never overlap', () => {
        const sorted = [...result.tokens].sort((a, b) => a.offset - b.offset);
        sorted.slice(1).forEach((token, i) => expect(token.offset, token.text).toBeGreaterThanOrEqual(sorted[i].offset + sorted[i].text.length));
    });

    test('comments and clause keywords get no semantic token', () => {
        const texts = result.tokens.map(t => t.text);
        expect(texts.some(t => t.startsWith('/*'))).toBe(false);
        expect(texts).not.toContain('reads');
        expect(texts).not.toContain('pipeline');
    });

    test('the legend keeps the standard types and modifiers first and adds label and the fspec modifiers', () => {
        const { legend } = provider.semanticTokensOptions;
        expect(legend.tokenTypes.at(-1)).toBe('label');
        expect(legend.tokenModifiers.slice(-4)).toEqual(['gate', 'riskLow', 'riskMedium', 'riskHigh']);
        expect(legend.tokenModifiers.slice(0, 3)).toEqual(['abstract', 'async', 'declaration']);
    });

    test('every truncation of the farm example is highlighted without an exception', async () => {
        const farm = fs.readFileSync('examples/farmer-contract-allocation/farm-ops.fspec', 'utf8');
        for (let length = 0; length < farm.length; length += 61) {
            const { tokens } = await highlightHelper(services)(farm.slice(0, length));
            expect(tokens.every(t => t.tokenType !== undefined), `at ${length}`).toBe(true);
        }
    });
});
