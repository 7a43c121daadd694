import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleRepository } from '../crew/example-repository.js';
import { tuesdayDesire } from '../crew/example-specs.js';
import { withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { fspecWithInput } from './run-fspec.js';

withoutGlobalGitConfig();

const marketDesire = '    desire market_prices "Price by the coastal market" {\n      trusted_source market_feed\n    }\n';

describe('fspec variant', () => {
    it('starts a variant at the approved baseline; the next growth is its version on its branch', async () => {
        const { sandbox, file } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesdayDesire);
        expect((await fspecWithInput(['grow', 'farm-ops.fspec', '--yes'], '', sandbox.folder)).code).toBe(0);

        const started = await fspecWithInput(['variant', 'farm-ops.fspec', 'coastal'], '', sandbox.folder);
        expect(started.stdout.trim()).toBe('Started the variant coastal of FarmOps at 0.3.0: the branch fspec/FarmOps/coastal is checked out, so the growths that follow are its versions (next 0.4.0-coastal).');
        expect(started.code).toBe(0);
        expect(sandbox.git('branch', '--show-current').trim()).toBe('fspec/FarmOps/coastal');

        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  desires {\n', `  desires {\n${marketDesire}`));
        const grown = await fspecWithInput(['grow', 'farm-ops.fspec', '--yes'], '', sandbox.folder);
        expect(grown.stdout).toContain('FarmOps grew to 0.4.0-coastal (market_prices_grown)');
        expect(sandbox.git('tag', '--list', '--contains', 'HEAD').trim()).toBe('fspec/FarmOps/v0.4.0-coastal');
        expect(sandbox.git('log', '-1', '--format=%D').trim()).toContain('fspec/FarmOps/coastal');

        const lineage = await fspecWithInput(['lineage', 'farm-ops.fspec'], '', sandbox.folder);
        expect(lineage.stdout).toMatch(/^\* variant market_prices_grown 0\.4\.0-coastal from tuesday_shortfalls_grown by add_source market_feed {2}\[fspec\/FarmOps\/v0\.4\.0-coastal [0-9a-f]{7} /m);
        expect(lineage.stdout).toContain('Variants: coastal (fspec/FarmOps/coastal, checked out)');
        expect(lineage.stdout).toContain('Approved baseline: 0.4.0-coastal');
    });

    it('refuses, changing nothing, an existing variant, an unknown version and a bad name; --json says why', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesdayDesire);
        const none = await fspecWithInput(['variant', 'farm-ops.fspec', 'coastal'], '', sandbox.folder);
        expect(none).toMatchObject({ code: 1, stdout: 'FarmOps has no approved version to start a variant from: grow and approve it first.\n' });
        expect((await fspecWithInput(['grow', 'farm-ops.fspec', '--yes'], '', sandbox.folder)).code).toBe(0);
        await fspecWithInput(['variant', 'farm-ops.fspec', 'coastal'], '', sandbox.folder);
        sandbox.git('checkout', '--quiet', 'main');
        const head = sandbox.head();

        const again = await fspecWithInput(['variant', 'farm-ops.fspec', 'coastal', '--json'], '', sandbox.folder);
        expect(again.code).toBe(1);
        expect(JSON.parse(again.stdout)).toEqual({ status: 'refused', reason: 'branch-exists', message: 'The variant coastal of FarmOps exists already (branch fspec/FarmOps/coastal): check it out to grow it.' });
        const unknown = await fspecWithInput(['variant', 'farm-ops.fspec', 'inland', '--from', '0.9.0'], '', sandbox.folder);
        expect(unknown).toMatchObject({ code: 1, stdout: 'FarmOps has no approved version 0.9.0 (no tag fspec/FarmOps/v0.9.0).\n' });
        const badName = await fspecWithInput(['variant', 'farm-ops.fspec', 'north-coast'], '', sandbox.folder);
        expect(badName.stdout).toMatch(/^"north-coast" cannot name a variant/);
        expect(sandbox.head()).toBe(head);
        expect(sandbox.git('branch', '--show-current').trim()).toBe('main');
    });
});
