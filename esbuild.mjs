// Bundles the language server (and its lazily loaded crew LLM, Daytona sandbox and app typechecker), the CLI, the VS Code extension and the webviews (preview, mutation PR) into out/.
import * as esbuild from 'esbuild';
import { cpSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

const watch = process.argv.includes('--watch');

const common = { bundle: true, sourcemap: true, logLevel: 'warning' };

// debug (under simple-git) tries require('supports-color') in a try/catch; it is not installed, so bundle it as absent.
const absentOptionalModules = {
    name: 'absent-optional-modules',
    setup(build) {
        build.onResolve({ filter: /^supports-color$/ }, args => ({ path: args.path, namespace: 'absent' }));
        build.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: 'module.exports = undefined;' }));
    }
};

/**
 * Large runtimes loaded on demand from a file of their own, at the moment they are needed:
 * - pi-ai and its provider SDKs (~3 MB), only when a model is configured: the crew imports `./llm.js`
 *   dynamically, and the bundles load it from `crew-llm.cjs`;
 * - the Daytona SDK (~3 MB), only for a Daytona run: the sandbox imports `./daytona-sandbox.js`
 *   dynamically, and the bundles load it from `sandbox-daytona.cjs`;
 * - TypeScript (~9 MB), only to typecheck a generated app in memory: the compiler imports its
 *   `typecheck.js` dynamically, and the bundles load it from `typecheck.cjs` (with TypeScript's lib
 *   files in `typescript-lib/` next to it).
 * A dynamic import is matched by the source file it resolves to, whatever relative path names it.
 */
const lazyBundles = {
    'language-server/src/crew/llm.ts': 'crew-llm.cjs',
    'language-server/src/sandbox/daytona-sandbox.ts': 'sandbox-daytona.cjs',
    'language-server/src/compiler/typecheck.ts': 'typecheck.cjs'
};
const lazyBundleOf = new Map(Object.entries(lazyBundles).map(([source, bundle]) => [path.resolve(source), bundle]));

function lazilyLoaded(folder) {
    return {
        name: 'lazily-loaded',
        setup(build) {
            build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, args => {
                if (args.kind !== 'dynamic-import') {
                    return undefined;
                }
                const bundle = lazyBundleOf.get(path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts'));
                return bundle ? { path: `${folder}${bundle}`, external: true } : undefined;
            });
        }
    };
}

/** TypeScript's lib files for the typechecker: ECMAScript's and decorators' (the generated app has no DOM, so no lib that needs it). */
function copyTypescriptLib() {
    const from = 'node_modules/typescript/lib';
    const to = 'out/language-server/typescript-lib';
    for (const name of readdirSync(from).filter(name => /^lib\.(es5|es\d{4}|esnext|decorators)\b.*\.d\.ts$/.test(name) && !name.includes('.full.'))) {
        cpSync(path.join(from, name), path.join(to, name));
    }
}

/**
 * The Daytona SDK requires form-data (for uploads) through a wrapper esbuild cannot follow, so the
 * bundle would look for it in a node_modules the .vsix does not ship; a plain require is bundled.
 */
const daytonaFormData = {
    name: 'daytona-form-data',
    setup(build) {
        build.onLoad({ filter: /@daytonaio[\\/]sdk[\\/]esm[\\/]utils[\\/]Import\.js$/ }, async args => ({
            contents: (await readFile(args.path, 'utf8')).replaceAll("__esmRequire('form-data')", "require('form-data')"),
            loader: 'js'
        }));
    }
};

const nodeOptions = {
    ...common,
    // VS Code provides the `vscode` module at run time; the Mistral SDK's optional telemetry is never loaded.
    external: ['vscode', '@opentelemetry/api'],
    // The crew's default pipeline ships inside the server bundle.
    loader: { '.dot': 'text' },
    outdir: 'out',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    target: 'node22',
    format: 'cjs'
};

const server = {
    ...nodeOptions,
    entryPoints: {
        'language-server/main': 'language-server/src/main.ts',
        'language-server/crew-llm': 'language-server/src/crew/llm.ts',
        'language-server/typecheck': 'language-server/src/compiler/typecheck.ts'
    },
    plugins: [absentOptionalModules, lazilyLoaded('./')]
};

// Its own build: the Daytona SDK imports @opentelemetry/api unconditionally, so it is bundled here.
const sandboxDaytona = {
    ...nodeOptions,
    external: ['vscode'],
    entryPoints: { 'language-server/sandbox-daytona': 'language-server/src/sandbox/daytona-sandbox.ts' },
    plugins: [absentOptionalModules, daytonaFormData]
};

const node = {
    ...nodeOptions,
    entryPoints: {
        'cli': 'language-server/src/cli/main.ts',
        'extension': 'extension/src/extension.ts',
        // Not shipped: the real-VS-Code suite and benchmark, loaded by VS Code as extensionTestsPath.
        'test/vscode-suite': 'test/vscode/suite/index.ts',
        'test/vscode-bench': 'bench/vscode/preview-bench.ts'
    },
    plugins: [absentOptionalModules, lazilyLoaded('./language-server/')]
};

// The webview runs in VS Code's browser sandbox: one script with Mermaid inside, nothing fetched remotely.
const webview = {
    ...common,
    entryPoints: { 'webviews/preview': 'webviews/src/preview.ts', 'webviews/mutation-pr': 'webviews/src/mutation-pr.ts' },
    outdir: 'out',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    // Mermaid is most of it: minified, the webview loads less than half the bytes.
    minify: true,
    loader: { '.css': 'css' }
};

copyTypescriptLib();
if (watch) {
    for (const options of [server, sandboxDaytona, node, webview]) await (await esbuild.context(options)).watch();
} else {
    await Promise.all([server, sandboxDaytona, node, webview].map(options => esbuild.build(options)));
}
