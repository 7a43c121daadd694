// Bundles the language server (and its lazily loaded crew LLM), the CLI, the VS Code extension and the webviews (preview, mutation PR) into out/.
import * as esbuild from 'esbuild';

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
 * pi-ai and its provider SDKs (~3 MB) are only needed when a model is configured: the crew imports
 * `./llm.js` dynamically, and the bundles load it from its own file, `crew-llm.cjs`, at that moment.
 */
function lazyCrewLlm(fromBundle) {
    return {
        name: 'lazy-crew-llm',
        setup(build) {
            build.onResolve({ filter: /^\.\/llm\.js$/ }, args => args.kind === 'dynamic-import' ? { path: fromBundle, external: true } : undefined);
        }
    };
}

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
        'language-server/crew-llm': 'language-server/src/crew/llm.ts'
    },
    plugins: [absentOptionalModules, lazyCrewLlm('./crew-llm.cjs')]
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
    plugins: [absentOptionalModules, lazyCrewLlm('./language-server/crew-llm.cjs')]
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

if (watch) {
    for (const options of [server, node, webview]) await (await esbuild.context(options)).watch();
} else {
    await Promise.all([esbuild.build(server), esbuild.build(node), esbuild.build(webview)]);
}
