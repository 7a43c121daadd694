import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

test('the server bundle loads nothing from vscode or the language client, so any editor can run it', () => {
    const bundle = fs.readFileSync(path.join(root, 'out/language-server/main.cjs'), 'utf8');
    const required = [...bundle.matchAll(/require\(["']([^"']+)["']\)/g)].map(m => m[1]);
    expect(bundle).not.toContain('vscode-languageclient');
    // Only Node's own modules stay outside the bundle: no `vscode`, no dependency left to install.
    expect(required.filter(name => !isBuiltin(name))).toEqual([]);
});
