import { CstUtils, GrammarAST, isCompositeCstNode, isLeafCstNode, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import { AbstractFormatter, Formatting, type FormattingAction, type FormattingContext } from 'langium/lsp';
import type { FormattingOptions, Range, TextEdit } from 'vscode-languageserver';
import { isSpec } from '../generated/ast.js';

/** Tokens written flush against what precedes them: `a, b`, `name: type`, `a.b`, `enum(x)`, `T[]`, `T?`. */
const noSpaceBefore = new Set([',', ':', '.', '(', ')', '[]', '?']);
/** Tokens written flush against what follows them: `a.b`, `enum(x)`, a negative default `= -1`. */
const noSpaceAfter = new Set(['(', '.', '-']);

/**
 * The one canonical layout of a `.fspec` file:
 * - 2-space indentation per block level, whatever the editor's tab settings, so every editor
 *   and the CLI produce the same text (and diffs show only real changes);
 * - one section, element, clause line (`goal`, `cadence`, ...), field or step per line,
 *   `{` on the same line after one space, `}` on its own line;
 * - exactly one blank line before each section; elsewhere an existing blank line between
 *   items is kept, but never more than one;
 * - single spaces between the tokens of a line, none before `,` `:` `.` `)` `[]` `?`.
 * Comments keep their place: own-line comments are re-indented to the block level, trailing
 * comments and inline block comments stay where they are.
 *
 * Rather than rules per AST type, every gap between tokens is decided once, on the outermost
 * CST node that starts after it: the grammar has a single shape (a header line, then an optional
 * `{ ... }` block of line items), so a few rules cover all fourteen sections.
 */
export class FspecFormatter extends AbstractFormatter {

    protected override format(node: AstNode): void {
        // The whole tree is laid out from the root; range formatting filters the edits by range.
        if (isSpec(node) && node.$cstNode) {
            this.layoutChildren(node.$cstNode);
        }
    }

    protected override doDocumentFormat(document: LangiumDocument, options: FormattingOptions, range?: Range): TextEdit[] {
        const edits = super.doDocumentFormat(document, { ...options, insertSpaces: true, tabSize: 2 }, range);
        // Langium writes `\n` line breaks; keep a CRLF file CRLF throughout.
        const eol = document.textDocument.getText().includes('\r\n') ? '\r\n' : '\n';
        return eol === '\n' ? edits : edits.map(edit => ({ ...edit, newText: edit.newText.replaceAll('\n', eol) }));
    }

    private layoutChildren(parent: CstNode): void {
        if (!isCompositeCstNode(parent)) {
            return;
        }
        const block = blockBraces(parent);
        parent.content.forEach((child, index) => {
            // The first child starts where its parent starts, so the parent's gap is its gap.
            if (index > 0) {
                const action = gapBefore(child, parent.content[index - 1], parent, block);
                if (action) {
                    this.collector(child, 'prepend', action);
                }
            }
            this.layoutChildren(child);
        });
    }

    /**
     * Re-indents an own-line comment and keeps at most one blank line before it. Continuation
     * lines of a block comment move by the same amount, so `/** ... * ... *\/` stays aligned.
     */
    protected override createHiddenTextEdits(previous: CstNode | undefined, hidden: CstNode, formatting: FormattingAction | undefined, context: FormattingContext): TextEdit[] {
        const start = hidden.range.start;
        if (previous && previous.range.end.line === start.line) {
            return []; // a trailing comment belongs to the line it is on
        }
        const gapStart = previous?.range.end ?? { line: start.line, character: 0 };
        const gap = { start: gapStart, end: start };
        const move = this.findFittingMove(gap, formatting?.moves ?? [], context);
        const indentation = this.getIndentationCharacterCount(context, move);
        const lines = previous ? (move?.lines ?? Math.min(start.line - gapStart.line, 2)) : 0;
        const edits: TextEdit[] = [{ range: gap, newText: '\n'.repeat(lines) + ' '.repeat(indentation) }];
        const shift = indentation - this.getExistingIndentationCharacterCount(
            context.document.getText({ start: { line: start.line, character: 0 }, end: start }), context);
        hidden.text.split('\n').slice(1).forEach((text, i) => {
            const position = { line: start.line + 1 + i, character: 0 };
            if (shift > 0) {
                edits.push({ range: { start: position, end: position }, newText: ' '.repeat(shift) });
            } else if (shift < 0) {
                const removable = Math.min(-shift, /^[ \t]*/.exec(text)![0].length);
                edits.push({ range: { start: position, end: { line: position.line, character: removable } }, newText: '' });
            }
        });
        return edits;
    }
}

interface Braces { open: CstNode, close: CstNode }

/** How the gap before `child` is laid out; `undefined` leaves it as it is. */
function gapBefore(child: CstNode, previous: CstNode, parent: CstNode, block: Braces | undefined): FormattingAction | undefined {
    if (block && child === block.close) {
        return Formatting.newLine();
    }
    const inBlock = block !== undefined && child.offset > block.open.offset && child.end <= block.close.offset;
    if (inBlock && (child.hidden || isLineItem(child, parent))) {
        return lineItem(previous, parent);
    }
    if (child.hidden) {
        return undefined;
    }
    if (previous.hidden) {
        // Never join a line to a comment before it; an inline block comment keeps its spacing.
        return previous.range.end.line < child.range.start.line ? Formatting.fit(Formatting.newLine(), Formatting.newLines(2)) : undefined;
    }
    if (noSpaceBefore.has(leafText(child)) || noSpaceAfter.has(leafText(previous))) {
        return Formatting.noSpace();
    }
    return Formatting.oneSpace();
}

/** The `{` and `}` of a node written as `header { items }`, if it is one. */
function blockBraces(node: CstNode): Braces | undefined {
    if (!isCompositeCstNode(node)) {
        return undefined;
    }
    const open = node.content.find(c => isKeywordLeaf(c) && c.text === '{');
    const close = node.content.findLast(c => isKeywordLeaf(c) && c.text === '}');
    return open && close ? { open, close } : undefined;
}

/** Inside a block, a line starts with each nested element and with each clause keyword (`goal`, `cadence`, ...). */
function isLineItem(child: CstNode, parent: CstNode): boolean {
    return isCompositeCstNode(child) ? child.astNode !== parent.astNode : isKeywordLeaf(child) && child.text !== ',';
}

/** An indented line; sections get exactly one blank line before them, other items keep at most one. */
function lineItem(previous: CstNode, parent: CstNode): FormattingAction {
    const atSpecLevel = isSpec(parent.astNode);
    if (isKeywordLeaf(previous) && previous.text === '{') {
        return indentedLines(atSpecLevel ? 2 : 1);
    }
    if (previous.hidden && startsLine(previous)) {
        return indentedLines(1, 2); // stays with the comment above it
    }
    return atSpecLevel ? indentedLines(2) : indentedLines(1, 2);
}

/** One indentation level deeper, on a new line after one of the given numbers of line breaks (the nearest fitting). */
function indentedLines(...lines: number[]): FormattingAction {
    return { options: {}, moves: lines.map(count => ({ tabs: 1, lines: count })) };
}

function startsLine(node: CstNode): boolean {
    const before = CstUtils.getPreviousNode(node, true);
    return !before || before.range.end.line < node.range.start.line;
}

function isKeywordLeaf(node: CstNode): boolean {
    return isLeafCstNode(node) && !node.hidden && GrammarAST.isKeyword(node.grammarSource);
}

function leafText(node: CstNode): string {
    return isKeywordLeaf(node) ? node.text : '';
}
