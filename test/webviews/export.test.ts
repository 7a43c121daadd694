// @vitest-environment jsdom
import { expect, test } from 'vitest';
import { exportBackground, pngSize, standaloneSvg, textToBase64 } from '../../webviews/src/export.js';

/** Shaped like Mermaid's output: width 100%, max-width style, HTML labels with <br> in foreignObject. */
const mermaidSvg = `<svg id="d1" width="100%" xmlns="http://www.w3.org/2000/svg" style="max-width: 320px;" viewBox="4 -2 320 180">
<style>#d1 .node rect{fill:#ececff;}</style><g class="root"><g class="node" id="d1-flowchart-a-0"><rect width="80" height="40"></rect>
<foreignObject width="80" height="40"><div xmlns="http://www.w3.org/1999/xhtml"><span class="nodeLabel"><p>PHI gate<br>enforces No harvest &amp; more</p></span></div></foreignObject></g></g></svg>`;

test('an exported SVG is a well-formed file of its own size, with a light background behind the drawing', () => {
    const { xml, width, height } = standaloneSvg(mermaidSvg, document);
    expect([width, height]).toEqual([320, 180]);
    const parsed = new DOMParser().parseFromString(xml, 'image/svg+xml');
    expect(parsed.querySelector('parsererror')).toBeNull();
    const svg = parsed.documentElement;
    expect(svg.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(svg.getAttribute('width')).toBe('320');
    expect(svg.getAttribute('height')).toBe('180');
    expect(svg.getAttribute('style') ?? '').not.toContain('max-width');
    // The background covers the viewBox (which need not start at 0,0) and sits under everything drawn.
    const background = svg.children[1];
    expect(svg.children[0].tagName).toBe('style');
    expect(background.tagName).toBe('rect');
    expect(['x', 'y', 'width', 'height', 'fill'].map(a => background.getAttribute(a))).toEqual(['4', '-2', '320', '180', exportBackground]);
    // Labels survive as XHTML, line break included.
    expect(svg.querySelector('p')?.textContent).toBe('PHI gateenforces No harvest & more');
    expect(xml).toContain('<br />');
});

test('an SVG without a size cannot be exported and says so', () => {
    expect(() => standaloneSvg('<svg xmlns="http://www.w3.org/2000/svg"></svg>', document)).toThrow('no size');
});

test('text of any script survives base64', () => {
    const text = '<text>🚜 café 日本語 → ok</text>'.repeat(5000);
    expect(Buffer.from(textToBase64(text), 'base64').toString('utf8')).toBe(text);
});

test('PNGs are twice the diagram size, but never larger than a canvas can be', () => {
    expect(pngSize(400, 300)).toEqual({ width: 800, height: 600 });
    const wide = pngSize(30_000, 500);
    expect(wide.width).toBeLessThanOrEqual(16_384);
    expect(wide.width / wide.height).toBeCloseTo(60, 0);
    const huge = pngSize(9_000, 9_000);
    expect(huge.width * huge.height).toBeLessThanOrEqual(64_000_000);
});
