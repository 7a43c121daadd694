import { defineConfig } from 'vitest/config';

export default defineConfig({
    // The crew's DOT pipelines are imported as text, as esbuild's text loader does for the bundles.
    plugins: [{
        name: 'dot-as-text',
        transform: (code, id) => id.endsWith('.dot') ? `export default ${JSON.stringify(code)};` : undefined
    }],
    test: {
        include: ['test/**/*.test.ts'],
        // CLI tests start real processes; two cores are shared with them.
        testTimeout: 30_000
    }
});
