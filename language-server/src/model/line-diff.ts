/**
 * A unified diff of two texts by lines (longest common subsequence), with `context` unchanged
 * lines around each change: how `fspec grow` shows a mutation PR in a terminal, and how drift shows a hand edit.
 */
export function unifiedDiff(before: string, after: string, labels: [string, string], context = 3): string {
    const a = before.split('\n');
    const b = after.split('\n');
    const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) {
            lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    const lines: Array<{ mark: ' ' | '-' | '+', text: string, old: number, new: number }> = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            lines.push({ mark: ' ', text: a[i], old: i++, new: j++ });
        } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
            lines.push({ mark: '-', text: a[i], old: i++, new: j });
        } else {
            lines.push({ mark: '+', text: b[j], old: i, new: j++ });
        }
    }
    const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
    for (let k = 0; k < lines.length;) {
        if (lines[k].mark === ' ') {
            k++;
            continue;
        }
        const start = Math.max(0, k - context);
        let end = k;
        // Extend the hunk while the next change is within reach of this one's trailing context.
        while (end < lines.length && (lines[end].mark !== ' ' || lines.slice(end, end + 2 * context + 1).some(l => l.mark !== ' '))) {
            end++;
        }
        end = Math.min(lines.length, end + context);
        const hunk = lines.slice(start, end);
        const oldCount = hunk.filter(l => l.mark !== '+').length;
        const newCount = hunk.filter(l => l.mark !== '-').length;
        out.push(`@@ -${hunk[0].old + 1},${oldCount} +${hunk[0].new + 1},${newCount} @@`, ...hunk.map(l => `${l.mark}${l.text}`));
        k = end;
    }
    return out.join('\n');
}
