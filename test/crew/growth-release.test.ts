import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interruptedRun, runGrowth, runsFolder } from '../../language-server/src/crew/growth-run.js';
import { deployApprovedVersion } from '../../language-server/src/crew/roles/deployer.js';
import { atomicWrite } from '../../language-server/src/lineage/atomic-write.js';
import type { CrewRunEvent } from '../../language-server/src/protocol.js';
import { withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { exampleRepository } from './example-repository.js';
import { services, tuesdayDesire } from './example-specs.js';

withoutGlobalGitConfig();

/** A desire the offline crew grows completely: a trusted source the policy lacks (add_source). */
const marketDesire = '    desire market_prices "Price by the market" {\n      trusted_source market_feed\n    }\n';

function approve(spec: string, text: string, onEvent?: (event: CrewRunEvent) => void, resume?: string) {
    return runGrowth(services, {
        specPath: spec, text, resume,
        review: async () => ({ decision: 'approve' }),
        deploy: (file, grown) => atomicWrite(file, grown),
        onEvent
    });
}

const deployedTags = (sandbox: { git(...args: string[]): string }) => sandbox.git('tag', '--list', 'fspec/FarmOps/deployed/*').trim();

describe('the crew deploys what it recorded (offline crew, real git, local sandbox)', () => {
    it('grows the farmer example and deploys the approved version once all its acceptance tests pass', async () => {
        const { sandbox, file, text } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', marketDesire);
        const events: CrewRunEvent[] = [];
        const grown = await approve(file, text, event => events.push(event));

        expect(grown).toMatchObject({
            status: 'grown', tag: 'fspec/FarmOps/v0.3.0',
            deployment: { status: 'deployed', spec: 'FarmOps', version: '0.3.0', tag: 'fspec/FarmOps/deployed/v0.3.0', summary: { tests: 3, passed: 3, failed: 0, notGrown: 0 } }
        });
        expect(grown.message).toMatch(/^FarmOps grew to 0\.3\.0 \(market_prices_grown\): commit [0-9a-f]{7}, tag fspec\/FarmOps\/v0\.3\.0; deployed 0\.3\.0 \(3 acceptance tests passed\)\.$/);
        // The deployed mark is on the growth's own commit, and the app is built where `fspec run` finds it.
        expect(deployedTags(sandbox)).toBe('fspec/FarmOps/deployed/v0.3.0');
        expect(sandbox.git('rev-list', '-n', '1', 'fspec/FarmOps/deployed/v0.3.0').trim()).toBe(grown.commit);
        expect(fs.existsSync(sandbox.path('.factory/build/0.3.0/manifest.json'))).toBe(true);
        // The report stays out of the result (and the checkpointed context): its counts are enough there.
        expect(grown.deployment).not.toHaveProperty('report');
        expect(events).toContainEqual({ kind: 'stage', node: 'release', label: 'Deploy the approved version: build, test, mark deployed', role: 'Deployer', status: 'completed' });
    });

    it('records a growth whose app does not pass its tests, but does not deploy it: the version deployed before stays deployed', async () => {
        const { sandbox, file, text } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesdayDesire);
        // The example as committed is approved as 0.2.0, and deployed.
        sandbox.git('tag', '--annotate', '-m', 'Approve 0.2.0', 'fspec/FarmOps/v0.2.0');
        const committed = sandbox.git('show', 'HEAD:farm-ops.fspec');
        expect(await deployApprovedVersion(services, file, committed)).toMatchObject({ status: 'deployed', version: '0.2.0' });

        const grown = await approve(file, text);
        // The offline Toolsmith cannot grow the Tuesday step, so its test is not grown.
        expect(grown).toMatchObject({
            status: 'grown', tag: 'fspec/FarmOps/v0.3.0',
            deployment: { status: 'failed', version: '0.3.0', previous: '0.2.0', reason: '0 failed and 1 not grown of 4 acceptance tests', summary: { notGrown: 1 } }
        });
        expect(grown.deployment).not.toHaveProperty('tag');
        expect(grown.message).toMatch(/tag fspec\/FarmOps\/v0\.3\.0; not deployed: 0 failed and 1 not grown of 4 acceptance tests, 0\.2\.0 stays deployed\.$/);
        expect(sandbox.git('tag', '--list', 'fspec/FarmOps/v*').trim().split('\n')).toEqual(['fspec/FarmOps/v0.2.0', 'fspec/FarmOps/v0.3.0']);
        expect(deployedTags(sandbox)).toBe('fspec/FarmOps/deployed/v0.2.0');
        expect(fs.readFileSync(file, 'utf8')).toBe(grown.pr?.after);
    });

    it('resumes a run interrupted while deploying: it deploys without recording the growth again', async () => {
        const { sandbox, file, text } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', marketDesire);
        const runId = 'interrupted-release';
        const checkpointFile = path.join(runsFolder(file), runId, 'checkpoint.json');
        let atRelease = '';
        const first = await runGrowth(services, {
            specPath: file, text, runId,
            review: async () => ({ decision: 'approve' }),
            deploy: (target, grown) => atomicWrite(target, grown),
            // The checkpoint as the release starts: what a process that dies while deploying leaves.
            onEvent: event => {
                if (event.kind === 'stage' && event.node === 'release' && event.status === 'started') {
                    atRelease = fs.readFileSync(checkpointFile, 'utf8');
                }
            }
        });
        expect(first.deployment?.status).toBe('deployed');
        const commits = sandbox.git('rev-list', '--count', 'HEAD').trim();

        // The process died after the record, before the deploy marked anything.
        const interrupt = () => {
            fs.writeFileSync(checkpointFile, atRelease);
            fs.rmSync(path.join(runsFolder(file), runId, 'result.json'));
        };
        interrupt();
        sandbox.git('tag', '--delete', 'fspec/FarmOps/deployed/v0.3.0');
        expect(interruptedRun(file)).toMatchObject({ runId, step: 'record' });
        const events: CrewRunEvent[] = [];
        const resumed = await approve(file, fs.readFileSync(file, 'utf8'), event => events.push(event), runId);
        expect(events.filter(e => e.kind === 'stage' && e.status === 'started').map(e => e.kind === 'stage' && e.node)).toEqual(['release']);
        expect(resumed).toMatchObject({ status: 'grown', commit: first.commit, tag: 'fspec/FarmOps/v0.3.0', deployment: { status: 'deployed', version: '0.3.0' } });
        expect(sandbox.git('rev-list', '--count', 'HEAD').trim()).toBe(commits);
        expect(deployedTags(sandbox)).toBe('fspec/FarmOps/deployed/v0.3.0');

        // Died after the deploy marked it: the resumed release finds it deployed already.
        interrupt();
        const again = await approve(file, fs.readFileSync(file, 'utf8'), undefined, runId);
        expect(again).toMatchObject({ status: 'grown', commit: first.commit, deployment: { status: 'refused', version: '0.3.0', previous: '0.3.0' } });
        expect(again.message).toMatch(/tag fspec\/FarmOps\/v0\.3\.0; 0\.3\.0 is deployed already\.$/);
        expect(sandbox.git('rev-list', '--count', 'HEAD').trim()).toBe(commits);
    });
});
