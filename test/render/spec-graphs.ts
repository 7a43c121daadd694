import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHelper } from 'langium/test';
import { expect } from 'vitest';
import type { Spec } from '../../language-server/src/generated/ast.js';
import { buildSpecGraph } from '../../language-server/src/model/spec-graph-builder.js';
import type { SpecGraph } from '../../language-server/src/model/spec-graph.js';
import { createTestServices } from '../fixtures.js';

const root = path.resolve(import.meta.dirname, '../..');

export const examples = {
    farm: 'examples/farmer-contract-allocation/farm-ops.fspec',
    immigration: 'examples/immigration-policy-impact/policy-impact.fspec'
} as const;

const parse = parseHelper<Spec>(createTestServices().Fspec);
let documents = 0;

/** The spec graph of a spec text, which must parse and link cleanly (renderers get built graphs). */
export async function graphOf(text: string): Promise<SpecGraph> {
    // Each text gets its own document: specs with the same name must not see each other's elements.
    const document = await parse(text, { documentUri: `file:///render/spec${documents++}.fspec` });
    expect(document.parseResult.lexerErrors).toEqual([]);
    expect(document.parseResult.parserErrors).toEqual([]);
    expect(document.references.filter(r => r.error).map(r => r.error?.message)).toEqual([]);
    return buildSpecGraph(document.parseResult.value);
}

/** The spec graph of any text, however broken: what the editor's preview renders while the user types. */
export async function partialGraphOf(text: string): Promise<SpecGraph> {
    const document = await parse(text, { documentUri: `file:///render/partial${documents++}.fspec` });
    return buildSpecGraph(document.parseResult.value);
}

export function exampleText(example: keyof typeof examples): string {
    return fs.readFileSync(path.join(root, examples[example]), 'utf8');
}

export function exampleGraph(example: keyof typeof examples): Promise<SpecGraph> {
    return graphOf(exampleText(example));
}

/** Zero-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
    const line = text.split('\n').findIndex(l => l.includes(needle));
    expect(line, `'${needle}' is in the text`).toBeGreaterThanOrEqual(0);
    return line;
}

/**
 * A spec whose every user text and name is hostile to Mermaid: quotes, brackets, `#`, entity
 * look-alikes, `<>`, pipes, arrows, backticks, markdown, directives, `style…:#…;` lines,
 * Mermaid's own placeholder characters, newlines, emoji, empty texts, and element names that
 * are Mermaid keywords or collapse to the same id.
 */
export const hostileSpec = String.raw`spec Hostile version "2.0.0" stage end {
  identity {
    purpose "Say \"hi\" [x] {y} (z) | #1 & <b>bold</b> ${'`'}tick${'`'} 🚜 café"
    beneficiary end "the \"end\" user"
    envelope ""
    envelope "line one\nline two"
    envelope "🚜"
    envelope "🌾"
    prohibit change purpose
  }
  desires {
    desire graph "subgraph end" {
      goal "%%{init: {\"theme\": \"dark\"}}%%"
      output nothing_matches
    }
  }
  evidence_policy {
    source click "style: #f00;" tier high provides style
  }
  data_contracts {
    entity style "classDef x fill:#f00" {
      class: string "C:\\new"
    }
    entity End {
      subgraph: int
    }
  }
  workflows {
    pipeline end "end" trigger on style {
      step graph "*bold* _under_ __dunder__ snake_case" reads style output End
      gate subgraph "gate ¶ß ﬂ° #quot; &amp; 10:00" reads End enforces click
      step style ""
    }
    pipeline a "C:\\new" {
      step b_c
    }
    pipeline a_b {
      step c
    }
  }
  safety {
    guardrail click "Never \"end\" with --> arrows ==> or |pipes| or ;semis;"
    disclaimer ""
  }
  lineage {
    stage end "1.0.0"
    stage class "2.0.0" from end by add_step graph
  }
}
`;
