// Bundles the language server, the CLI and the VS Code extension into out/.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');

const options = {
    entryPoints: {
        'language-server/main': 'language-server/src/main.ts',
        'cli': 'language-server/src/cli/main.ts',
        'extension': 'extension/src/extension.ts'
    },
    // VS Code provides the `vscode` module at run time; nothing else is loaded from outside the bundle.
    external: ['vscode'],
    outdir: 'out',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning'
};

if (watch) {
    const context = await esbuild.context(options);
    await context.watch();
} else {
    await esbuild.build(options);
}
