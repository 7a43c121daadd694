import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        // CLI tests start real processes; two cores are shared with them.
        testTimeout: 30_000
    }
});
