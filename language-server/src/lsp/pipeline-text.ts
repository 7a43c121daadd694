/**
 * What the text of a DOT pipeline says around a position, read from its tokens alone: hover and
 * completion need it while the text is being typed and does not parse (`[shape=` has no value yet).
 * Which attribute list the position is in and whose it is (the graph's, a node's, an edge's, or a
 * `node [...]` / `edge [...]` default), and whether it is on a key or on a value.
 */
import type { AttributeTarget } from '../crew/engine/index.js';

export interface Token {
    readonly kind: 'id' | 'string' | 'html' | 'punct' | 'arrow';
    /** As written (a string with its quotes). */
    readonly text: string;
    /** The id, or the string without its quotes (escapes kept). */
    readonly value: string;
    readonly start: number;
    readonly end: number;
}

const ID = /[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*(?:[.:-][\w\u0080-\uffff]+)*|-?(?:\d+\.?\d*|\.\d+)[A-Za-z]*/y;
const KEYWORDS = new Set(['graph', 'digraph', 'subgraph', 'node', 'edge', 'strict']);

/** The tokens of a DOT text; comments are skipped, and an unterminated string or HTML string runs to the end. */
export function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    const push = (kind: Token['kind'], start: number, end: number, value = text.slice(start, end)) =>
        tokens.push({ kind, text: text.slice(start, end), value, start, end });
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) {
            i++;
        } else if (c === '/' && text[i + 1] === '/' || c === '#' && (i === 0 || text[i - 1] === '\n')) {
            const end = text.indexOf('\n', i);
            i = end < 0 ? text.length : end;
        } else if (c === '/' && text[i + 1] === '*') {
            const end = text.indexOf('*/', i + 2);
            i = end < 0 ? text.length : end + 2;
        } else if (c === '"') {
            let j = i + 1;
            while (j < text.length && text[j] !== '"') {
                j += text[j] === '\\' ? 2 : 1;
            }
            const end = Math.min(j + 1, text.length);
            push('string', i, end, text.slice(i + 1, Math.min(j, text.length)));
            i = end;
        } else if (c === '<') {
            let depth = 0;
            let j = i;
            for (; j < text.length; j++) {
                if (text[j] === '<') {
                    depth++;
                } else if (text[j] === '>' && --depth === 0) {
                    break;
                }
            }
            push('html', i, Math.min(j + 1, text.length));
            i = j + 1;
        } else if (c === '-' && (text[i + 1] === '>' || text[i + 1] === '-')) {
            push('arrow', i, i + 2);
            i += 2;
        } else if ('[]{};,='.includes(c)) {
            push('punct', i, i + 1);
            i++;
        } else {
            ID.lastIndex = i;
            if (ID.test(text)) {
                push('id', i, ID.lastIndex);
                i = ID.lastIndex;
            } else {
                i++;
            }
        }
    }
    return tokens;
}

/** Whose an attribute list (or a `key=value` statement) is. */
export interface AttributeOwner {
    readonly target: AttributeTarget;
    /** A node statement's node. */
    readonly nodeId?: string;
    /** An edge statement's last pair. */
    readonly edge?: { readonly from: string; readonly to: string };
    /** `node [...]`, `edge [...]`: defaults rather than one element's own attributes. */
    readonly defaults: boolean;
    /** The pairs written in the list, in order (a key twice keeps its last value). */
    readonly values: Readonly<Record<string, string>>;
}

/** Where a position is in the text, for hover and completion. Offsets are into the text; end exclusive. */
export type TextContext =
    | { readonly kind: 'key'; readonly owner: AttributeOwner; readonly key: string; readonly start: number; readonly end: number }
    | { readonly kind: 'value'; readonly owner: AttributeOwner; readonly key: string; readonly value: string; readonly start: number; readonly end: number; readonly quoted: boolean }
    | { readonly kind: 'node'; readonly id: string; readonly start: number; readonly end: number };

const isWord = (t: Token | undefined) => t !== undefined && (t.kind === 'id' || t.kind === 'string' || t.kind === 'html');
const isPunct = (t: Token | undefined, p: string) => t?.kind === 'punct' && t.text === p;

/** The attribute list opened by the `[` at `open` (or the statement at `open` for a `key=value` statement): its owner and pairs. */
function ownerAt(tokens: readonly Token[], open: number, statement: boolean): AttributeOwner {
    const values: Record<string, string> = {};
    if (statement) {
        values[tokens[open].value] = tokens[open + 2]?.value ?? '';
        return { target: 'graph', defaults: false, values };
    }
    for (let i = open + 1; i < tokens.length && !isPunct(tokens[i], ']'); i++) {
        if (isWord(tokens[i]) && isPunct(tokens[i + 1], '=')) {
            values[tokens[i].value] = isWord(tokens[i + 2]) ? tokens[i + 2].value : '';
        }
    }
    const before = tokens[open - 1];
    if (before?.kind === 'id' && ['graph', 'node', 'edge'].includes(before.value.toLowerCase())) {
        const target = before.value.toLowerCase() as AttributeTarget;
        // `graph [...]` sets the (sub)graph's own attributes; `node [...]` and `edge [...]` set defaults.
        return { target, defaults: target !== 'graph', values };
    }
    if (tokens[open - 2]?.kind === 'arrow') {
        return { target: 'edge', edge: { from: tokens[open - 3]?.value ?? '', to: before?.value ?? '' }, defaults: false, values };
    }
    return { target: 'node', ...(isWord(before) && { nodeId: before.value }), defaults: false, values };
}

/** The unclosed `[` before token `index`, if the token is inside an attribute list. */
function openBracket(tokens: readonly Token[], index: number): number | undefined {
    for (let i = index - 1; i >= 0; i--) {
        if (isPunct(tokens[i], ']') || isPunct(tokens[i], '{') || isPunct(tokens[i], '}')) {
            return undefined;
        }
        if (isPunct(tokens[i], '[')) {
            return i;
        }
    }
    return undefined;
}

/**
 * What is at `offset`: an attribute key, an attribute value (with the key it belongs to), or a node id.
 * `typing` (completion) also counts a position just after a token, and an empty key or value
 * position (`[` … `|`, `shape=|`), as on it.
 */
export function contextAt(text: string, offset: number, typing: boolean): TextContext | undefined {
    const tokens = tokenize(text);
    let index = tokens.findIndex(t => typing ? t.start < offset && offset <= t.end : t.start <= offset && offset < t.end);
    if (index >= 0 && !isWord(tokens[index]) && !(tokens[index].kind === 'arrow')) {
        index = -1;
    }
    if (index < 0 && tokens.some(t => t.start < offset && offset < t.end)) {
        return undefined;
    }
    if (index >= 0 && tokens[index].kind === 'string' && offset === tokens[index].end && tokens[index].text.length > 1 && tokens[index].text.endsWith('"')) {
        // Just after a closing quote: nothing to complete there.
        return undefined;
    }
    // The token the cursor is on, else where one would be inserted.
    const at = index >= 0 ? index : tokens.findIndex(t => t.start >= offset);
    const position = at < 0 ? tokens.length : at;
    const token = index >= 0 ? tokens[index] : undefined;
    if (token?.kind === 'arrow') {
        return undefined;
    }
    const previous = tokens[position - 1];
    const next = tokens[position + (token ? 1 : 0)];
    const span = token ? valueSpan(token, offset, typing) : { start: offset, end: offset, value: '', quoted: false };
    const bracket = openBracket(tokens, position);
    if (isPunct(previous, '=') && isWord(tokens[position - 2])) {
        const keyIndex = position - 2;
        const statement = bracket === undefined;
        if (statement && !atStatementStart(tokens, keyIndex)) {
            return undefined;
        }
        const owner = ownerAt(tokens, statement ? keyIndex : bracket!, statement);
        return { kind: 'value', owner, key: tokens[keyIndex].value, ...span };
    }
    if (bracket !== undefined) {
        if (token && token.kind !== 'id' && token.kind !== 'string') {
            return undefined;
        }
        return { kind: 'key', owner: ownerAt(tokens, bracket, false), key: span.value, start: span.start, end: span.end };
    }
    if (token && isPunct(next, '=') && atStatementStart(tokens, position)) {
        return { kind: 'key', owner: ownerAt(tokens, position, true), key: token.value, start: token.start, end: token.end };
    }
    const graphName = previous?.kind === 'id' && ['digraph', 'graph', 'subgraph'].includes(previous.value.toLowerCase());
    if (typing || graphName) {
        return undefined;
    }
    if (token?.kind === 'id' && !KEYWORDS.has(token.value.toLowerCase())) {
        return { kind: 'node', id: token.value, start: token.start, end: token.end };
    }
    if (token?.kind === 'string' && (isPunct(next, '[') || next?.kind === 'arrow' || previous?.kind === 'arrow')) {
        return { kind: 'node', id: token.value, start: token.start, end: token.end };
    }
    return undefined;
}

/** A `key=value` statement starts after `{`, `;`, `}`, `]` or a complete `key=value`, never inside an edge or node statement. */
function atStatementStart(tokens: readonly Token[], index: number): boolean {
    const before = tokens[index - 1];
    return before === undefined || ['{', ';', '}', ']'].some(p => isPunct(before, p)) || isWord(before) && isPunct(tokens[index - 2], '=');
}

/** The part of a token that is its text (inside the quotes for a string), and for completion what is typed of it before the cursor. */
function valueSpan(token: Token, offset: number, typing: boolean): { start: number; end: number; value: string; quoted: boolean } {
    if (token.kind === 'string') {
        const closed = token.text.length > 1 && token.text.endsWith('"');
        const start = token.start + 1;
        const end = closed ? token.end - 1 : token.end;
        return { start, end, value: typing ? token.text.slice(1, offset - token.start) : token.value, quoted: true };
    }
    return { start: token.start, end: token.end, value: typing ? token.text.slice(0, offset - token.start) : token.value, quoted: false };
}

/** The node ids the text names: in node statements and edges (not keys, values or keywords), in order of first mention. */
export function nodeIdsIn(text: string): string[] {
    const tokens = tokenize(text);
    const ids = new Set<string>();
    let depth = 0;
    tokens.forEach((t, i) => {
        if (isPunct(t, '[')) {
            depth++;
        } else if (isPunct(t, ']')) {
            depth = Math.max(0, depth - 1);
        } else if (depth === 0 && isWord(t) && t.kind !== 'html' && !KEYWORDS.has(t.value.toLowerCase()) && !isPunct(tokens[i + 1], '=') && !isPunct(tokens[i - 1], '=')
            && !(tokens[i - 1]?.kind === 'id' && ['digraph', 'graph', 'subgraph'].includes(tokens[i - 1].value.toLowerCase()))) {
            ids.add(t.value);
        }
    });
    return [...ids];
}
