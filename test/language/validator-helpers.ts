import { AstUtils, GrammarUtils, type AstNode } from 'langium';
import type { ValidationResult } from 'langium/test';
import { expect } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Spec } from '../../language-server/src/generated/ast.js';

/** Every node of the validated spec that satisfies `guard` (and has `name`, when given), in document order. */
export function findAll<T extends AstNode>(result: ValidationResult<Spec>, guard: (node: unknown) => node is T, name?: string): T[] {
    return AstUtils.streamAst(result.document.parseResult.value)
        .filter(guard)
        .filter(node => name === undefined || (node as { name?: unknown }).name === name)
        .toArray();
}

/** The single node of the validated spec that satisfies `guard` (and has `name`, when given). */
export function find<T extends AstNode>(result: ValidationResult<Spec>, guard: (node: unknown) => node is T, name?: string): T {
    const nodes = findAll(result, guard, name);
    if (nodes.length !== 1) {
        throw new Error(`Expected one node${name ? ` named '${name}'` : ''}, found ${nodes.length}.`);
    }
    return nodes[0];
}

/** The range of a keyword inside a node, for diagnostics reported on a keyword. */
export function keywordRange(node: AstNode, keyword: string) {
    const cst = GrammarUtils.findNodeForKeyword(node.$cstNode, keyword);
    if (!cst) {
        throw new Error(`No keyword '${keyword}' in ${node.$type}.`);
    }
    return cst.range;
}

/** The 0-based index of the one line of `text` that contains `marker`. */
export function lineOf(text: string, marker: string): number {
    const lines = text.split('\n').map((line, index) => ({ line, index })).filter(l => l.line.includes(marker));
    if (lines.length !== 1) {
        throw new Error(`Expected '${marker}' on exactly one line, found ${lines.length}.`);
    }
    return lines[0].index;
}

/** Asserts an error with this code and message whose range starts on `line` (for diagnostics with an explicit range). */
export function expectErrorOnLine(result: ValidationResult<Spec>, code: string, message: string | RegExp, line: number): void {
    const found = result.diagnostics
        .filter(d => d.code === code)
        .map(d => ({ severity: d.severity, message: d.message, line: d.range.start.line }));
    expect(found).toContainEqual({
        severity: DiagnosticSeverity.Error,
        message: typeof message === 'string' ? message : expect.stringMatching(message),
        line
    });
}

/** The codes of all diagnostics, linking errors as `linking-error`, sorted: for asserting what else was (not) reported. */
export function codes(result: ValidationResult<Spec>): string[] {
    return result.diagnostics.map(d => String(d.code ?? (d.data as { code?: string } | undefined)?.code)).sort();
}
