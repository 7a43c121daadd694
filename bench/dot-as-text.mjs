// Loads .dot files as text modules under tsx, as esbuild's text loader does for the bundles and a
// Vite plugin does for vitest: `tsx --import ./bench/dot-as-text.mjs bench/crew-bench.ts`.
import { register } from 'node:module';

const hooks = `
import { readFileSync } from 'node:fs';
export async function load(url, context, next) {
    if (url.endsWith('.dot')) {
        return { format: 'module', shortCircuit: true, source: 'export default ' + JSON.stringify(readFileSync(new URL(url), 'utf8')) + ';' };
    }
    return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
