import { describe, expect, test } from 'vitest';
import { contextAt, nodeIdsIn, tokenize } from '../../language-server/src/lsp/pipeline-text.js';

/** `|` marks the position; the text is read without it. */
function at(marked: string, typing: boolean) {
    const offset = marked.indexOf('|');
    return contextAt(marked.slice(0, offset) + marked.slice(offset + 1), offset, typing);
}

describe('what a pipeline\'s text says at a position', () => {
    test('a key or a value of a node\'s, an edge\'s, a default\'s or the graph\'s attribute list', () => {
        expect(at('digraph g { a [sha|pe=box] }', false)).toMatchObject({ kind: 'key', key: 'shape', owner: { target: 'node', nodeId: 'a', defaults: false, values: { shape: 'box' } } });
        expect(at('digraph g { a [shape=b|ox] }', false)).toMatchObject({ kind: 'value', key: 'shape', value: 'box', quoted: false });
        expect(at('digraph g { a -> b -> c [label="go|"] }', false)).toMatchObject({ kind: 'value', key: 'label', value: 'go', quoted: true, owner: { target: 'edge', edge: { from: 'b', to: 'c' } } });
        expect(at('digraph g { node [sha|pe=box] }', false)).toMatchObject({ kind: 'key', owner: { target: 'node', defaults: true } });
        expect(at('digraph g { graph [go|al="x"] }', false)).toMatchObject({ kind: 'key', owner: { target: 'graph', defaults: false } });
        expect(at('digraph g {\n  rank|dir=LR\n  a -> b\n}', false)).toMatchObject({ kind: 'key', key: 'rankdir', owner: { target: 'graph' } });
        expect(at('digraph g {\n  rankdir=L|R\n}', false)).toMatchObject({ kind: 'value', key: 'rankdir', value: 'LR' });
    });

    test('while typing: the part before the cursor, an empty key or value, nothing after a closing quote', () => {
        expect(at('digraph g { a [shape=|', true)).toMatchObject({ kind: 'value', key: 'shape', value: '', start: 21, end: 21 });
        expect(at('digraph g { a [shape=he|x] }', true)).toMatchObject({ kind: 'value', value: 'he', start: 21, end: 24 });
        expect(at('digraph g { a [shape=box, |] }', true)).toMatchObject({ kind: 'key', key: '', owner: { values: { shape: 'box' } } });
        expect(at('digraph g { a [shape=box |] }', true)).toMatchObject({ kind: 'key', key: '' });
        expect(at('digraph g { a [type="crew.|"] }', true)).toMatchObject({ kind: 'value', key: 'type', value: 'crew.', quoted: true });
        expect(at('digraph g { a [label="x"|] }', true)).toBeUndefined();
        expect(at('digraph g { a [x=1] |}', true)).toBeUndefined();
    });

    test('a node id, but not the graph\'s name, a keyword, an arrow or a comment', () => {
        expect(at('digraph g { st|art -> b }', false)).toEqual({ kind: 'node', id: 'start', start: 12, end: 17 });
        expect(at('digraph g|x { a }', false)).toBeUndefined();
        expect(at('digr|aph g { a }', false)).toBeUndefined();
        expect(at('digraph g { a -|> b }', false)).toBeUndefined();
        expect(at('digraph g { // a [sha|pe=box]\n }', false)).toBeUndefined();
    });

    test('tokens skip comments; node ids are those of node statements and edges', () => {
        expect(tokenize('a /* [x] */ -> "b c" // d\n# e\n[k=v]').map(t => t.text)).toEqual(['a', '->', '"b c"', '[', 'k', '=', 'v', ']']);
        expect(nodeIdsIn('digraph g {\n  rankdir=LR\n  node [shape=box]\n  start [label=x]\n  start -> plan -> "the end"\n}')).toEqual(['start', 'plan', 'the end']);
    });
});
