import { describe, expect, test } from 'vitest';
import { DiagramIds, escapeLabel, mermaidKeywords, nodeText, quoted } from '../../language-server/src/render/mermaid-text.js';

describe('labels render as the text the user wrote', () => {
    test.each([
        ['plain words stay as they are', 'Allocate to contracts', 'Allocate to contracts'],
        ['quotes become #quot;', 'say "hi"', 'say #quot;hi#quot;'],
        ['brackets are harmless inside quotes', '[x] {y} (z) ((c))', '[x] {y} (z) ((c))'],
        ['# and & never start an entity the user did not write', '#1 & #quot; &amp;', '#35;1 #amp; #35;quot; #amp;amp;'],
        ['angle brackets are not HTML', '<b>bold</b>', '#lt;b#gt;bold#lt;/b#gt;'],
        ['pipes cannot end an edge label', 'a | b', 'a #124; b'],
        ['newlines become <br>, whatever their form', 'one\ntwo\r\nthree\rfour\u2028five', 'one<br>two<br>three<br>four<br>five'],
        ['backticks do not start a markdown label', '`code`', '#96;code#96;'],
        ['Mermaid keywords are just words in a label', 'end graph subgraph style click class', 'end graph subgraph style click class'],
        ['unicode and emoji pass through', '🚜 café 日本語', '🚜 café 日本語'],
        ['% cannot form a %%{init}%% directive', '%%{init: {"theme":"dark"}}%%', '#37;#37;{init: {#quot;theme#quot;#58;#quot;dark#quot;}}#37;#37;'],
        ['markdown emphasis is escaped, snake_case is left alone', '*bold* _under_ snake_case', '#42;bold#42; #95;under#95; snake_case'],
        ['a colon before text cannot trigger Mermaid\'s style-line rewrite; one before a space can stay', 'crop: string at 10:00', 'crop: string at 10#58;00'],
        ['backslashes are not line breaks', 'C:\\new', 'C#58;#92;new'],
        ['tabs become spaces and control characters go', 'a\tb\u0000c\u0007', 'a bc'],
        ['Mermaid\'s own placeholder pairs are split by an invisible joiner', '¶ß ﬂ°', '¶\u2060ß ﬂ\u2060°']
    ])('%s', (_why, text, escaped) => {
        expect(escapeLabel(text)).toBe(escaped);
    });

    test('an empty label is a single space, which Mermaid accepts everywhere', () => {
        expect(quoted('')).toBe('" "');
        expect(quoted('\u0000')).toBe('" "');
    });

    test('node text puts the quoted label in the shape\'s brackets', () => {
        expect(nodeText('gate_x', 'hexagon', 'PHI "gate"')).toBe('gate_x{{"PHI #quot;gate#quot;"}}');
        expect(nodeText('entity_Block', 'database', 'Block')).toBe('entity_Block[("Block")]');
        expect(nodeText('source_s', 'input', 'Feed')).toBe('source_s[/"Feed"/]');
        expect(nodeText('spec_A', 'circle', 'A')).toBe('spec_A(("A"))');
    });
});

describe('diagram ids', () => {
    test('are the graph id with separators as underscores', () => {
        const ids = new DiagramIds(['step:contract_allocation.allocate', 'entity:Block', 'purpose']);
        expect(ids.of('step:contract_allocation.allocate')).toBe('step_contract_allocation_allocate');
        expect(ids.of('entity:Block')).toBe('entity_Block');
        expect(ids.of('purpose')).toBe('purpose');
    });

    test('stay unique when graph ids collapse to the same text, whatever the order', () => {
        const keys = ['step:a.b_c', 'step:a_b.c', 'step:a.b.c'];
        const forward = new DiagramIds(keys);
        const backward = new DiagramIds([...keys].reverse());
        const ids = keys.map(k => forward.of(k));
        expect(new Set(ids).size).toBe(3);
        expect(keys.map(k => backward.of(k))).toEqual(ids);
        // The first key in sort order keeps the readable form.
        expect(forward.of('step:a.b.c')).toBe('step_a_b_c');
        expect(forward.of('step:a.b_c')).toMatch(/^step_a_b_c_[0-9a-z]+$/);
    });

    test('are never a Mermaid keyword and always start with a letter', () => {
        const keys = ['end', 'graph', 'subgraph', 'style', 'click', 'class', 'classDef', 'END', '42', '_x', '', '🚜', 'envelope:No "legal" advice!'];
        const ids = new DiagramIds(keys);
        for (const key of keys) {
            const id = ids.of(key);
            expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
            expect(mermaidKeywords.has(id.toLowerCase())).toBe(false);
        }
        expect(ids.of('end')).toBe('n_end');
        expect(ids.of('envelope:No "legal" advice!')).toBe('envelope_No_legal_advice');
    });

    test('of long texts are cut, and stay unique', () => {
        const long = `envelope:${'Client data never leaves the practice '.repeat(3)}`;
        const ids = new DiagramIds([long, `${long}!`]);
        expect(ids.of(long).length).toBeLessThanOrEqual(64);
        expect(ids.of(long)).not.toBe(ids.of(`${long}!`));
    });

    test('do not change when unrelated keys are added', () => {
        const before = new DiagramIds(['step:a.b_c', 'entity:Block', 'end']);
        const after = new DiagramIds(['pipeline:new', 'step:a.b_c', 'entity:Zebra', 'entity:Block', 'end', 'field:Block.x']);
        for (const key of ['step:a.b_c', 'entity:Block', 'end']) {
            expect(after.of(key)).toBe(before.of(key));
        }
    });

    test('asking for an undeclared key is a renderer bug', () => {
        expect(() => new DiagramIds(['a']).of('b')).toThrow(/No diagram id for 'b'/);
    });
});
