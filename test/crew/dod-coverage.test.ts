import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The Attractor definition of done (attractor-dod.md: items 1–133 from §11, S1–S21 from the rest of
 * the spec) against docs/crew.md's conformance table and the tests' names: every item has a row,
 * every row names tests that exist and carry the item's id, and every id a test carries is in the
 * row of that item. The item list is written here because the checklist is not part of the repository.
 */

const root = path.resolve(__dirname, '../..');
const ITEMS = [...Array.from({ length: 133 }, (_, i) => `#${i + 1}`), ...Array.from({ length: 21 }, (_, i) => `S${i + 1}`)];

interface Reference {
    readonly item: string;
    readonly file: string;
    /** `describe > … > title` as the table writes it. */
    readonly path: string;
}

interface Row {
    readonly item: string;
    readonly tests: string;
    readonly references: readonly Reference[];
}

function conformanceRows(): Row[] {
    const doc = fs.readFileSync(path.join(root, 'docs/crew.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Engine conformance'));
    const table = section.slice(0, section.indexOf('\n### ', 1) === -1 ? undefined : section.indexOf('\n### ', 1));
    return table.split('\n').flatMap(line => {
        const match = /^\| (\d+|S\d+) \| .* \| (.*) \|$/.exec(line);
        if (!match) {
            return [];
        }
        const item = /^\d+$/.test(match[1]) ? `#${match[1]}` : match[1];
        const references = match[2].split('<br>').flatMap(cell => {
            const ref = /^`([^`]+)` › `(.+)`$/.exec(cell);
            return ref ? [{ item, file: ref[1], path: ref[2].replace(/\\\|/g, '|') }] : [];
        });
        return [{ item, tests: match[2], references }];
    });
}

/** The ids a title's leading tag names: `[#3 #7–#9 S2]` → #3 #7 #8 #9 S2; none without a tag. */
function taggedItems(title: string): string[] {
    const tag = /^\[([^\]]*)\]/.exec(title)?.[1];
    const tokens = tag?.split(' ') ?? [];
    if (!tokens.length || !tokens.every(token => /^(#\d+(–#\d+)?|S\d+(–S\d+)?)$/.test(token))) {
        return [];
    }
    return tokens.flatMap(token => {
        const [first, last = first] = token.split('–');
        const prefix = first[0] === '#' ? '#' : 'S';
        const from = Number(first.slice(1));
        const to = Number(last.slice(1));
        return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
    });
}

interface TestTitle {
    /** The title as written; `%s`/`$name` placeholders for it.each titles. */
    readonly text: string;
    readonly matches: (title: string) => boolean;
}

/** A quoted string's value; a template with `${…}` stays as written. */
function stringValue(quote: string, raw: string): string {
    if (quote === '`' && raw.includes('${')) {
        return raw;
    }
    return new Function(`return ${quote}${raw}${quote}`)() as string;
}

/** Skips from `open` past its balanced `close`, stepping over quoted strings. */
function skipBalanced(source: string, at: number, open: string, close: string): number {
    let depth = 0;
    let i = at;
    do {
        const c = source[i];
        if (c === open) {
            depth++;
        } else if (c === close) {
            depth--;
        } else if (c === '\'' || c === '"' || c === '`') {
            for (i++; source[i] !== c; i++) {
                if (source[i] === '\\') {
                    i++;
                }
            }
        }
        i++;
    } while (depth > 0 && i < source.length);
    return i;
}

/** The titles of a test file's `it(…)` / `test(…)` / `test.each(…)(…)` calls. */
function testTitles(source: string): TestTitle[] {
    const titles: TestTitle[] = [];
    const call = /\b(?:it|test)((?:\.(?:only|skip|concurrent|each))*)/g;
    for (let match = call.exec(source); match; match = call.exec(source)) {
        let i = call.lastIndex;
        const each = match[1].includes('each');
        if (each) {
            if (source[i] === '<') {
                i = skipBalanced(source, i, '<', '>');
            }
            if (source[i] !== '(') {
                continue;
            }
            i = skipBalanced(source, i, '(', ')');
        }
        const opening = /^\s*\(\s*(['"`])/.exec(source.slice(i, i + 200));
        if (!opening) {
            continue;
        }
        const quote = opening[1];
        const begin = i + opening[0].length;
        let end = begin;
        while (end < source.length && source[end] !== quote) {
            end += source[end] === '\\' ? 2 : 1;
        }
        const text = stringValue(quote, source.slice(begin, end));
        const pattern = each
            ? new RegExp(`^${text.split(/(%[sdifjo#]|\$[\w.]+)/).map((part, k) => k % 2 ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('')}$`)
            : undefined;
        titles.push({ text, matches: title => pattern ? pattern.test(title) : title === text });
        call.lastIndex = end + 1;
    }
    return titles;
}

const titlesByFile = new Map<string, TestTitle[]>();
function titlesOf(file: string): TestTitle[] | undefined {
    if (!titlesByFile.has(file)) {
        const full = path.join(root, file);
        titlesByFile.set(file, fs.existsSync(full) ? testTitles(fs.readFileSync(full, 'utf8')) : []);
    }
    return fs.existsSync(path.join(root, file)) ? titlesByFile.get(file) : undefined;
}

/** The test a reference names: the title matching the longest tail of its `describe > … > title`. */
function referencedTest(reference: Reference): { test: TestTitle; title: string } | undefined {
    const segments = reference.path.split(' > ');
    for (let k = 1; k < segments.length; k++) {
        const title = segments.slice(k).join(' > ');
        const test = titlesOf(reference.file)?.find(candidate => candidate.matches(title));
        if (test) {
            return { test, title };
        }
    }
    return undefined;
}

function testFiles(folder: string): string[] {
    return fs.readdirSync(path.join(root, folder), { withFileTypes: true }).flatMap(entry => {
        const relative = `${folder}/${entry.name}`;
        if (entry.isDirectory()) {
            return entry.name === 'node_modules' ? [] : testFiles(relative);
        }
        return entry.name.endsWith('.test.ts') ? [relative] : [];
    });
}

describe('Attractor definition of done: coverage', () => {
    const rows = conformanceRows();
    const references = rows.flatMap(row => row.references);

    it('every checklist item has exactly one row in the conformance table', () => {
        const items = rows.map(row => row.item);
        const duplicates = items.filter((item, index) => items.indexOf(item) !== index);
        expect({ missing: ITEMS.filter(item => !items.includes(item)), duplicates, unknown: items.filter(item => !ITEMS.includes(item)) })
            .toEqual({ missing: [], duplicates: [], unknown: [] });
    });

    it('every row names at least one test, and none says the item does not apply', () => {
        const untested = rows.filter(row => row.references.length === 0 || /not applicable/i.test(row.tests)).map(row => row.item);
        expect(untested).toEqual([]);
    });

    it('every test a row names exists and carries the row\'s id in its title', () => {
        const problems = references.flatMap(reference => {
            if (!titlesOf(reference.file)) {
                return [`${reference.item}: ${reference.file} does not exist`];
            }
            const found = referencedTest(reference);
            if (!found) {
                return [`${reference.item}: ${reference.file} has no test "${reference.path}"`];
            }
            return taggedItems(found.test.text).includes(reference.item) ? [] : [`${reference.item}: "${found.title}" does not carry ${reference.item}`];
        });
        expect(problems).toEqual([]);
    });

    it('every id a test title carries is in the row of that item, naming that test', () => {
        const problems = testFiles('test').flatMap(file => (titlesOf(file) ?? []).flatMap(test => {
            const claimed = taggedItems(test.text);
            const named = new Set(references.filter(reference => reference.file === file && referencedTest(reference)?.test === test).map(reference => reference.item));
            return claimed.filter(item => !named.has(item)).map(item => `${file} › "${test.text}" carries ${item}, but the row of ${item} does not name it`);
        }));
        expect(problems).toEqual([]);
    });

    it('reads tags, ranges included, and only tags', () => {
        expect(taggedItems('[#7 #9] edge weight')).toEqual(['#7', '#9']);
        expect(taggedItems('[#124–#126 S10] smoke')).toEqual(['#124', '#125', '#126', 'S10']);
        expect(taggedItems('[§6.5] a timeout')).toEqual([]);
        expect(taggedItems('[K] Label')).toEqual([]);
        expect(taggedItems('no tag #3')).toEqual([]);
    });
});
