import { expect, test } from 'vitest';
import { createNonce, previewHtml } from '../../extension/src/preview/preview-html.js';

const resources = { cspSource: 'https://file+.vscode-resource.example', scriptUri: 'https://file+.vscode-resource.example/out/webviews/preview.js', styleUri: 'https://file+.vscode-resource.example/out/webviews/preview.css' };

test('the page runs only its own nonce-tagged script and loads nothing remote', () => {
    const nonce = createNonce();
    const html = previewHtml({ ...resources, nonce });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    const directives = Object.fromEntries(csp.split(/;\s*/).map(d => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual([`'nonce-${nonce}'`]);
    expect(directives['style-src']).toEqual([resources.cspSource, "'unsafe-inline'"]);
    expect(directives['img-src']).toEqual([resources.cspSource, 'data:', 'blob:']);
    expect(directives['font-src']).toEqual([resources.cspSource]);
    expect(Object.keys(directives)).not.toContain('connect-src');
    // The one script is the bundle, carrying the nonce.
    expect([...html.matchAll(/<script([^>]*)>/g)].map(m => m[1])).toEqual([` nonce="${nonce}" src="${resources.scriptUri}"`]);
    expect(html).toContain(`<link rel="stylesheet" href="${resources.styleUri}">`);
});

test('every page gets a fresh 32-character nonce', () => {
    const nonces = new Set(Array.from({ length: 50 }, createNonce));
    expect(nonces.size).toBe(50);
    expect([...nonces].every(n => /^[A-Za-z0-9]{32}$/.test(n))).toBe(true);
});
