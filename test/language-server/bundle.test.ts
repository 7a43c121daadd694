import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

test('the server bundle loads nothing from vscode or the language client, so any editor can run it', () => {
    const bundle = fs.readFileSync(path.join(root, 'out/language-server/main.cjs'), 'utf8');
    expect(bundle).not.toContain('vscode-languageclient');
    // Only Node's own modules stay outside the bundle: no `vscode`, no dependency left to install.
    expect(requiredModules(bundle).filter(name => !isBuiltin(name))).toEqual([]);
    // The crew's model runtime, the Daytona SDK (for fspec/test in Daytona) and TypeScript (to typecheck model-written bodies)
    // are loaded on demand from the bundles beside it, which ship too.
    const loadedLater = [...bundle.matchAll(/\bimport\(["']([^"']+)["']\)/g)].map(m => m[1]);
    expect(new Set(loadedLater)).toEqual(new Set(['./crew-llm.cjs', './sandbox-daytona.cjs', './typecheck.cjs']));
    // TypeScript itself is not in the server bundle.
    expect(bundle).not.toContain('function createProgram(');
    const crewLlm = fs.readFileSync(path.join(root, 'out/language-server/crew-llm.cjs'), 'utf8');
    // Optional loads, each guarded: the Mistral SDK's OpenTelemetry hook (only when tracing is on) and ws's native speed-ups.
    expect([...new Set(requiredModules(crewLlm).filter(name => !isBuiltin(name)))].sort()).toEqual(['@opentelemetry/api', 'bufferutil', 'utf-8-validate']);
});

/** Modules a bundle loads with `require("…")`: not the crew context's own `.require(key)`, nor examples in comments. */
function requiredModules(bundle: string): string[] {
    return bundle.split('\n').filter(line => !/^\s*(\*|\/\/)/.test(line))
        .flatMap(line => [...line.matchAll(/(?<![.\w$])require\(["']([^"']+)["']\)/g)].map(m => m[1]));
}
