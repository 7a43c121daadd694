import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { nodeText } from '../../language-server/src/render/mermaid-text.js';
import { requireChromium } from '../system-tools.js';

/**
 * Parsing proves the text is Mermaid, not that a label shows what the user wrote. This renders
 * hostile labels with Mermaid in headless Chromium and reads the text back. It needs a Chromium
 * (`apt-get install chromium`; npm test installs it as root).
 */

const hostile = [
    'say "hi"', '[x] {y} (z) ([s]) [[d]] ((c))', '#1 & <b>bold</b> &amp; &lt;', '#quot; #35; #lt;', 'a | b', 'line one\nline two',
    '`tick`', 'end', 'subgraph x', 'style a fill:#f00;', 'classDef x fill:#f00;', 'click a call b()', '🚜 café 日本語',
    '*bold* **strong** _under_ __dunder__ snake_case', '%%{init: {"theme":"dark"}}%%', 'C:\\new \\n', 'style: #f00;', 'x:#35;y;',
    '¶ß ﬂ° ﬂ°° x', '10:00 a:b', '- list', '1. item', '<script>alert(1)</script>', '--> ==> -.-> ~~~', "it's", ':::cls', ''
];

function page(diagrams: Record<string, string>): string {
    const mermaid = pathToFileURL(path.resolve(import.meta.dirname, '../../node_modules/mermaid/dist/mermaid.min.js')).href;
    return `<!doctype html><html><head><meta charset="utf-8"></head><body><pre id="out"></pre><script src="${mermaid}"></script><script>
mermaid.initialize({ startOnLoad: false });
(async () => {
  const texts = {};
  for (const [name, text] of Object.entries(${JSON.stringify(diagrams)})) {
    const { svg } = await mermaid.render('d' + name, text);
    const holder = document.createElement('div');
    holder.innerHTML = svg;
    document.body.appendChild(holder);
    texts[name] = [...holder.querySelectorAll('g.node')].map(node => {
      node.querySelectorAll('br').forEach(br => br.replaceWith('\\n'));
      return node.textContent;
    });
  }
  document.getElementById('out').textContent = JSON.stringify(texts);
})().catch(error => { document.getElementById('out').textContent = JSON.stringify({ error: String(error) }); });
</script></body></html>`;
}

/** Whitespace is HTML's to collapse, and the word joiner that splits Mermaid's placeholder pairs is invisible. */
const shown = (text: string) => text.replace(/\u2060/g, '').replace(/\s+/g, ' ').trim();

test('hostile labels render as the text the user wrote, in flowcharts and mindmaps', async () => {
    const flowchart = ['flowchart LR', ...hostile.map((text, i) => `  n${i}${nodeText('', 'box', text)}`)].join('\n');
    const mindmap = ['mindmap', '  root((root))', ...hostile.map((text, i) => `    n${i}${nodeText('', 'box', text)}`)].join('\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-labels-')), 'labels.html');
    fs.writeFileSync(file, page({ flowchart, mindmap }));
    const { stdout } = await promisify(execFile)(requireChromium(), ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=20000', '--dump-dom', pathToFileURL(file).href], { maxBuffer: 64 * 1024 * 1024 });
    const json = /<pre id="out">([\s\S]*?)<\/pre>/.exec(stdout)![1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const texts = JSON.parse(json) as Record<string, string[]>;
    expect(texts.error).toBeUndefined();
    expect(texts.flowchart.map(shown)).toEqual(hostile.map(shown));
    // The mindmap's first node is its root.
    expect(texts.mindmap.slice(1).map(shown)).toEqual(hostile.map(shown));
}, 60_000);
