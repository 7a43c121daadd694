import { CstUtils, GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import type { Position, TextEdit } from 'vscode-languageserver';
import type { Spec } from '../generated/ast.js';
import { sectionName } from '../model/spec-graph-builder.js';
import type { SectionName } from '../model/spec-graph.js';

/** Text edits that grow a spec: lines appended inside a block, into a section, or a new section. */

/** The leading whitespace of the line a node starts on. */
function indentOf(document: LangiumDocument, node: AstNode): string {
    const line = node.$cstNode!.range.start.line;
    const text = document.textDocument.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    return /^[ \t]*/.exec(text)![0];
}

/**
 * Appends lines (indented one level deeper than the block) just before the block's closing brace.
 * A block the parser could not close gets no edit: growing a broken spec would guess.
 */
export function appendInside(document: LangiumDocument, block: AstNode, lines: string[]): TextEdit | undefined {
    const close = block.$cstNode && CstUtils.flattenCst(block.$cstNode).filter(leaf => leaf.text === '}').toArray().at(-1);
    if (!close) {
        return undefined;
    }
    const outer = indentOf(document, block);
    const inner = `${outer}  `;
    const start = close.range.start;
    const before = document.textDocument.getText({ start: { line: start.line, character: 0 }, end: start });
    if (before.trim() === '') {
        return { range: { start: { line: start.line, character: 0 }, end: { line: start.line, character: 0 } }, newText: lines.map(l => `${inner}${l}\n`).join('') };
    }
    return { range: { start, end: start }, newText: `\n${lines.map(l => `${inner}${l}`).join('\n')}\n${outer}` };
}

/** Appends lines to a section, creating the section at the end of the spec when it is missing. */
export function appendToSection(document: LangiumDocument<Spec>, name: SectionName, lines: string[]): TextEdit | undefined {
    const spec = document.parseResult.value;
    const section = spec.sections.find(s => sectionName(s) === name);
    return section
        ? appendInside(document, section, lines)
        : appendInside(document, spec, [`${name} {`, ...lines.map(l => `  ${l}`), '}']);
}

/** Inserts lines as the first entries of a block, right after its opening brace (none when the block has no brace). */
export function prependInside(document: LangiumDocument, block: AstNode, lines: string[]): TextEdit | undefined {
    const open = block.$cstNode && CstUtils.flattenCst(block.$cstNode).find(leaf => leaf.text === '{');
    if (!open) {
        return undefined;
    }
    const inner = `${indentOf(document, block)}  `;
    const at: Position = open.range.end;
    return { range: { start: at, end: at }, newText: lines.map(l => `\n${inner}${l}`).join('') };
}

/** Appends text at the end of a node (e.g. a clause at the end of a rule's line). */
export function appendAfter(node: AstNode, text: string): TextEdit | undefined {
    if (!node.$cstNode) {
        return undefined;
    }
    const end = node.$cstNode.range.end;
    return { range: { start: end, end }, newText: text };
}

/** Inserts lines right after a node's last line, at the node's indentation (a new step after a step). */
export function insertLinesAfter(document: LangiumDocument, node: AstNode, lines: string[]): TextEdit | undefined {
    if (!node.$cstNode) {
        return undefined;
    }
    const indent = indentOf(document, node);
    const end = node.$cstNode.range.end;
    return { range: { start: end, end }, newText: lines.map(l => `\n${indent}${l}`).join('') };
}

/** Replaces the text of a property's value (a version string, a strategy name). */
export function replaceProperty(node: AstNode, property: string, text: string): TextEdit | undefined {
    const value = GrammarUtils.findNodeForProperty(node.$cstNode, property);
    return value && { range: value.range, newText: text };
}

/** Removes a node together with its line, when it is alone on it. */
export function removeLine(document: LangiumDocument, node: AstNode): TextEdit | undefined {
    const range = node.$cstNode?.range;
    if (!range) {
        return undefined;
    }
    const text = document.textDocument.getText({ start: { line: range.start.line, character: 0 }, end: { line: range.end.line + 1, character: 0 } });
    const alone = text.trim() === node.$cstNode!.text.trim();
    return alone
        ? { range: { start: { line: range.start.line, character: 0 }, end: { line: range.end.line + 1, character: 0 } }, newText: '' }
        : { range, newText: '' };
}
