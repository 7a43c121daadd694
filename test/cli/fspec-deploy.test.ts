import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleRepository } from '../crew/example-repository.js';
import { tuesdayDesire } from '../crew/example-specs.js';
import { withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { fspecWithInput } from './run-fspec.js';

withoutGlobalGitConfig();

describe('fspec deploy', () => {
    it('deploys the approved version only when all its tests pass; a failed deploy leaves the deployed version as it was', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesdayDesire);
        const run = (...args: string[]) => fspecWithInput(args, '', sandbox.folder);
        const refused = await run('deploy', 'farm-ops.fspec');
        expect(refused).toMatchObject({ code: 1, stdout: 'FarmOps has no approved version in git yet: grow it and approve the growth, then deploy.\n' });
        // The example as committed is approved as 0.2.0.
        sandbox.git('tag', '--annotate', '-m', 'Approve 0.2.0', 'fspec/FarmOps/v0.2.0');

        const deployed = await run('deploy', 'farm-ops.fspec', '--today', '2025-06-02');
        expect(deployed.stdout).toContain('PASS phi_blocks_untouched: No harvest from PHI locked blocks');
        expect(deployed.stdout.trim().split('\n').at(-1)).toBe('FarmOps 0.2.0 is deployed: 3 acceptance tests passed in the local sandbox on 2025-06-02; tag fspec/FarmOps/deployed/v0.2.0.');
        expect(deployed.code).toBe(0);
        expect(sandbox.git('rev-list', '-n', '1', 'fspec/FarmOps/deployed/v0.2.0').trim()).toBe(sandbox.head());
        expect(fs.existsSync(sandbox.path('.factory/build/0.2.0/manifest.json'))).toBe(true);
        expect((await run('deploy', 'farm-ops.fspec')).stdout.trim()).toBe('FarmOps 0.2.0 is deployed already (tag fspec/FarmOps/deployed/v0.2.0).');

        // The Tuesday growth is approved as 0.3.0, but the offline Toolsmith cannot grow its new step: its test is not grown.
        expect((await run('grow', 'farm-ops.fspec', '--yes')).code).toBe(0);
        const failed = await run('deploy', 'farm-ops.fspec', '--today', '2025-06-02', '--json');
        expect(failed.code).toBe(1);
        const result = JSON.parse(failed.stdout);
        expect(result).toMatchObject({ status: 'failed', spec: 'FarmOps', version: '0.3.0', previous: '0.2.0' });
        expect(result.message).toBe('The deploy of FarmOps 0.3.0 failed (0 failed and 1 not grown of 4 acceptance tests); 0.2.0 stays deployed.');
        expect(result.report.tests.find((t: { name: string }) => t.name === 'tuesday_shortfalls_realized').status).toBe('not-grown');
        expect(sandbox.git('tag', '--list', 'fspec/FarmOps/deployed/*').trim()).toBe('fspec/FarmOps/deployed/v0.2.0');
        expect((await run('lineage', 'farm-ops.fspec')).stdout).toContain('Deployed: 0.2.0 (fspec/FarmOps/deployed/v0.2.0)');
    });
});
