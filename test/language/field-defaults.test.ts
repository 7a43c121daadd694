import { TextDocument } from 'langium';
import { expectError, expectFormatting, parseHelper } from 'langium/test';
import { describe, expect, test } from 'vitest';
import { isField, type Spec } from '../../language-server/src/generated/ast.js';
import { IssueCodes } from '../../language-server/src/language/fspec-validator.js';
import { buildSpecGraph } from '../../language-server/src/model/spec-graph-builder.js';
import { diffSpecGraphs } from '../../language-server/src/model/semantic-diff.js';
import { createTestServices, spec, validate } from '../fixtures.js';
import { find } from './validator-helpers.js';

const services = createTestServices().Fspec;
const parse = parseHelper<Spec>(services);

const contracts = (fields: string) => spec(`  data_contracts {\n    entity Contract {\n${fields}    }\n  }`);

const withDefaults = contracts([
    '      priority: int = 0',
    '      region: string = "north" pii "Where it is delivered"',
    '      active: bool = false',
    '      discount: number = -1.5',
    '      status: enum(open, closed) = open',
    '      note: text? = ""',
    '      buyer: string'
].map(line => `${line}\n`).join(''));

describe('field defaults', () => {
    test('a field may end its type with = and a string, number, true/false or enum value; flags and description follow', async () => {
        const document = await parse(withDefaults);
        expect(document.parseResult.parserErrors.map(e => e.message)).toEqual([]);
        const fields = buildSpecGraph(document.parseResult.value).nodes.filter(n => n.kind === 'field');
        expect(fields.map(f => [f.name, f.attrs.default])).toEqual([
            ['priority', '0'], ['region', '"north"'], ['active', 'false'], ['discount', '-1.5'], ['status', 'open'], ['note', '""'], ['buyer', undefined]
        ]);
        expect(fields[1].attrs).toMatchObject({ type: 'string', pii: true, description: 'Where it is delivered' });
        expect((await validate(withDefaults)).diagnostics.filter(d => d.severity === 1)).toEqual([]);
    });

    test('a missing or misplaced default is a located syntax error', async () => {
        // The field is on line 8: a missing value is noticed at the brace on the next line, a misplaced one at its `=`.
        for (const [field, line] of [['      priority: int =\n', 9], ['      priority: int pii = 0\n', 8]] as const) {
            const document = await parse(contracts(field));
            expect(document.parseResult.parserErrors[0]?.token.startLine).toBe(line);
        }
    });

    test('the formatter writes single spaces around = and keeps a negative number together', async () => {
        await expectFormatting(services)({
            before: contracts('      priority:int=0\n      discount: number =  - 1.5  "Off the list price"\n'),
            after: contracts('      priority: int = 0\n      discount: number = -1.5 "Off the list price"\n')
                .replace(' {\n  identity', ' {\n\n  identity').replace('  }\n  data_contracts', '  }\n\n  data_contracts')
        });
    });

    test('a new or changed default is a change of the field, not a new field', async () => {
        const graph = async (text: string) => buildSpecGraph((await parse(text)).parseResult.value);
        const morphs = diffSpecGraphs(await graph(contracts('      priority: int\n')), await graph(contracts('      priority: int = 1\n')));
        expect(morphs.map(m => [m.kind, m.detail])).toEqual([['change_field_type', "field 'priority': default (none) → \"1\""]]);
    });

    test('the formatted text parses to the same graph', async () => {
        const document = await parse(withDefaults);
        const edits = await services.lsp.Formatter!.formatDocument(document, { textDocument: { uri: document.uri.toString() }, options: { tabSize: 2, insertSpaces: true } });
        const formatted = TextDocument.applyEdits(document.textDocument, edits);
        const nodes = async (text: string) => buildSpecGraph((await parse(text)).parseResult.value).nodes.map(({ range: _range, ...node }) => node);
        expect(await nodes(formatted)).toEqual(await nodes(withDefaults));
    });
});

describe('a default must be a value of its field\'s type', () => {
    const invalidDefaults = (result: Awaited<ReturnType<typeof validate>>) =>
        result.diagnostics.filter(d => d.code === IssueCodes.InvalidDefault).map(d => String(d.message).split(':')[0]);

    test('a string default of an int field is an error on the default that says why and what to do', async () => {
        const result = await validate(contracts('      priority: int = "high"\n'));
        expectError(result, 'Default "high" is not a value of type int: stored records get it when a growth adds \'priority\', and the Migrator would refuse it. Change the default or the type.',
            { node: find(result, isField, 'priority'), property: 'default', code: IssueCodes.InvalidDefault });
    });

    test('defaults the Migrator would refuse are errors, by the rule stored values are checked with', async () => {
        const result = await validate(contracts([
            '      count: int = 1.5',
            '      status: enum(open, closed) = shut',
            '      due: date = "2025-02-30"',
            '      signed: bool = "yes"',
            '      day: weekday = "someday"',
            '      contact: email = "nobody"',
            '      tags: string[] = "north"',
            '      price: money = true'
        ].map(line => `${line}\n`).join('')));
        expect(invalidDefaults(result)).toEqual([
            'Default 1.5 is not a value of type int', 'Default shut is not a value of type enum(open, closed)',
            'Default "2025-02-30" is not a value of type date', 'Default "yes" is not a value of type bool',
            'Default "someday" is not a value of type weekday', 'Default "nobody" is not a value of type email',
            'Default "north" is not a value of type string[]', 'Default true is not a value of type money'
        ]);
    });

    test('defaults that fit their types, optional and entity types included, are no invalid-default error', async () => {
        const result = await validate(contracts([
            '      count: int? = -3',
            '      status: enum(open, closed) = "closed"',
            '      due: date = "2025-05-06"',
            '      at: datetime = "2025-05-06T08:30:00Z"',
            '      day: weekday = "tuesday"',
            '      contact: email = "farm@example.com"',
            '      price: money = 12.5',
            '      parent: Contract = "c-1"'
        ].map(line => `${line}\n`).join('')));
        expect(invalidDefaults(result)).toEqual([]);
    });
});
