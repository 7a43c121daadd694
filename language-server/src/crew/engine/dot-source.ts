/**
 * Attractor's DOT subset allows what ts-graphviz's DOT grammar does not: bare qualified keys
 * (`human.default_choice=…`), bare values with `.`, `:` or `-` (`fidelity=summary:high`), and line
 * breaks inside quoted strings (the §8.6 stylesheet example). Before ts-graphviz parses the source,
 * such tokens are wrapped in quotes and line breaks in strings are written as `\n`/`\r` escapes
 * (which the parser decodes); comments and HTML strings are skipped. Every edit only inserts
 * characters, so positions in the edited source map back to the original.
 */

export interface AdaptedSource {
    readonly text: string;
    /** Offset in `text` → offset in the original source (source-map.ts turns it into a position). */
    originalOffset(offset: number): number;
}

const BARE_TOKEN = /[A-Za-z_][A-Za-z0-9_]*(?:[.:-][A-Za-z0-9_]+)*/y;
const NUMBER_TOKEN = /[0-9.]+[A-Za-z]*/y;

export function adaptForTsGraphviz(source: string): AdaptedSource {
    const parts: string[] = [];
    // Offsets in the adapted text of the characters added to the original.
    const added: number[] = [];
    let copied = 0;
    let i = 0;
    while (i < source.length) {
        const c = source[i];
        if (c === '"') {
            i++;
            while (i < source.length && source[i] !== '"') {
                if (source[i] === '\\') {
                    i += 2;
                    continue;
                }
                if (source[i] === '\n' || source[i] === '\r') {
                    const shift = added.length;
                    parts.push(source.slice(copied, i), source[i] === '\n' ? '\\n' : '\\r');
                    added.push(i + shift);
                    copied = i + 1;
                }
                i++;
            }
            i++;
        } else if (c === '/' && source[i + 1] === '/') {
            i = skipUntil(source, i, '\n');
        } else if (c === '/' && source[i + 1] === '*') {
            const end = source.indexOf('*/', i + 2);
            i = end < 0 ? source.length : end + 2;
        } else if (c === '#' && (i === 0 || source[i - 1] === '\n')) {
            i = skipUntil(source, i, '\n');
        } else if (c === '<') {
            i = skipHtml(source, i);
        } else if (/[0-9]/.test(c)) {
            NUMBER_TOKEN.lastIndex = i;
            NUMBER_TOKEN.test(source);
            i = NUMBER_TOKEN.lastIndex;
        } else if (/[A-Za-z_]/.test(c)) {
            BARE_TOKEN.lastIndex = i;
            BARE_TOKEN.test(source);
            const end = BARE_TOKEN.lastIndex;
            if (/[.:-]/.test(source.slice(i, end))) {
                const shift = added.length;
                parts.push(source.slice(copied, i), '"', source.slice(i, end), '"');
                added.push(i + shift, end + shift + 1);
                copied = end;
            }
            i = end;
        } else {
            i++;
        }
    }
    parts.push(source.slice(copied));
    // `added` is ascending: the characters added before `offset` are found by binary search.
    const originalOffset = (offset: number) => {
        let low = 0;
        let high = added.length;
        while (low < high) {
            const middle = (low + high) >> 1;
            if (added[middle] < offset) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return offset - low;
    };
    return { text: parts.join(''), originalOffset };
}

function skipUntil(source: string, start: number, end: string): number {
    const at = source.indexOf(end, start);
    return at < 0 ? source.length : at;
}

function skipHtml(source: string, start: number): number {
    let depth = 0;
    for (let i = start; i < source.length; i++) {
        if (source[i] === '<') {
            depth++;
        } else if (source[i] === '>' && --depth === 0) {
            return i + 1;
        }
    }
    return source.length;
}
