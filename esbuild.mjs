// Bundles the language server, the CLI, the VS Code extension and the preview webview into out/.
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

const node = {
    ...common,
    entryPoints: {
        'language-server/main': 'language-server/src/main.ts',
        'cli': 'language-server/src/cli/main.ts',
        'extension': 'extension/src/extension.ts',
        // Not shipped: the real-VS-Code suite and benchmark, loaded by VS Code as extensionTestsPath.
        'test/vscode-suite': 'test/vscode/suite/index.ts',
        'test/vscode-bench': 'bench/vscode/preview-bench.ts'
    },
    // VS Code provides the `vscode` module at run time; nothing else is loaded from outside the bundle.
    external: ['vscode'],
    plugins: [absentOptionalModules],
    outdir: 'out',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    target: 'node22',
    format: 'cjs'
};

// The webview runs in VS Code's browser sandbox: one script with Mermaid inside, nothing fetched remotely.
const webview = {
    ...common,
    entryPoints: { 'webviews/preview': 'webviews/src/preview.ts' },
    outdir: 'out',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    // Mermaid is most of it: minified, the webview loads less than half the bytes.
    minify: true,
    loader: { '.css': 'css' }
};

if (watch) {
    for (const options of [node, webview]) await (await esbuild.context(options)).watch();
} else {
    await Promise.all([esbuild.build(node), esbuild.build(webview)]);
}
