import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicWrite } from '../../language-server/src/lineage/atomic-write.js';
import { runGrowth, type ReviewAnswer } from '../../language-server/src/crew/growth-run.js';
import type { MutationPr } from '../../language-server/src/crew/mutation-pr.js';
import type { CrewRunEvent } from '../../language-server/src/protocol.js';
import { SpecRepository } from '../../language-server/src/lineage/spec-repository.js';
import { Sandbox, withoutGitOnPath, withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { addDesires, farmFile, realizedExample, services, tuesdayDesire, withDesires } from './example-specs.js';

withoutGlobalGitConfig();

const farmFolder = path.dirname(farmFile);

/**
 * The farmer example as its last growth left it (every desire realized) committed in a fresh
 * repository, with `desires` written into the spec (uncommitted, as a user would).
 */
function farmRepository(desires = tuesdayDesire): { sandbox: Sandbox, spec: string, text: string } {
    const sandbox = Sandbox.withCommit({
        'farm/farm-ops.fspec': realizedExample(farmFile),
        'farm/.factory/approved/FarmOps.fspec': fs.readFileSync(path.join(farmFolder, '.factory/approved/FarmOps.fspec'), 'utf8')
    });
    const spec = sandbox.path('farm/farm-ops.fspec');
    const text = addDesires(fs.readFileSync(spec, 'utf8'), desires, spec);
    fs.writeFileSync(spec, text);
    return { sandbox, spec, text };
}

function grow(spec: string, text: string, answer: ReviewAnswer, events: CrewRunEvent[] = []) {
    const reviewed: MutationPr[] = [];
    const result = runGrowth(services, {
        specPath: spec, text,
        review: async pr => { reviewed.push(pr); return answer; },
        deploy: (file, grown) => atomicWrite(file, grown),
        onEvent: event => events.push(event)
    });
    return { result, reviewed };
}

describe('growth run (offline crew, real git)', () => {
    it('grows the farmer spec from the Tuesday desire to an approved commit and tag', async () => {
        const { sandbox, spec, text } = farmRepository();
        const events: CrewRunEvent[] = [];
        const { result, reviewed } = grow(spec, text, { decision: 'approve' }, events);
        const grown = await result;
        expect(grown).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.3.0' });
        // The offline Toolsmith cannot grow the new step, so its test is not grown: recorded, not deployed.
        expect(grown.message).toMatch(/^FarmOps grew to 0\.3\.0 \(tuesday_shortfalls_grown\): commit [0-9a-f]{7}, tag fspec\/FarmOps\/v0\.3\.0; not deployed: 0 failed and 1 not grown of 4 acceptance tests, nothing is deployed\.$/);
        expect(grown.deployment).toMatchObject({ status: 'failed', version: '0.3.0', summary: { tests: 4, passed: 3, failed: 0, notGrown: 1 } });

        const [pr] = reviewed;
        expect(pr.planner).toBe('offline');
        expect(pr.stage).toMatchObject({ version: '0.3.0', from: 'juvenile' });
        expect(pr.safety.verdict).toBe('approved');
        expect(pr.simulation.morphs.map(m => m.kind)).toEqual(expect.arrayContaining(['add_source', 'add_step']));
        expect(pr.adapters).toEqual([{ source: 'weather_service', entities: [], cadence: 'daily', tier: 'medium' }]);

        const onDisk = fs.readFileSync(spec, 'utf8');
        expect(onDisk).toBe(pr.after);
        expect(fs.readFileSync(sandbox.path('farm/.factory/approved/FarmOps.fspec'), 'utf8')).toBe(pr.after);
        // One commit with the spec and its approved copy; the .factory/.gitignore fspec wrote keeps the run
        // folder and the Deployer's build of the approved version (and itself) out of git: nothing is left over.
        expect(sandbox.git('show', '--name-only', '--format=%s', 'HEAD').trim().split('\n')).toEqual([
            'Grow FarmOps to 0.3.0 (tuesday_shortfalls_grown): tuesday_shortfalls', '', 'farm/.factory/approved/FarmOps.fspec', 'farm/farm-ops.fspec'
        ]);
        expect(fs.existsSync(sandbox.path('farm/.factory/build/0.3.0/manifest.json'))).toBe(true);
        expect(sandbox.status()).toEqual([]);
        expect(sandbox.git('tag', '--list', 'fspec/*').trim()).toBe('fspec/FarmOps/v0.3.0');

        // The roles ran in the seed's order, and every step was checkpointed.
        const started = events.filter(e => e.kind === 'stage' && e.status === 'started').map(e => e.kind === 'stage' ? e.node : '');
        expect(started).toEqual(['refine', 'plan', 'compile', 'surface', 'safety', 'toolsmith', 'simulate', 'review', 'migrate', 'deploy', 'record', 'release']);
        const checkpoint = JSON.parse(fs.readFileSync(path.join(grown.logsRoot, 'checkpoint.json'), 'utf8'));
        expect(checkpoint.current_node).toBe('done');
        expect(events.at(-1)).toEqual({ kind: 'finished', result: grown });
    });

    it('records a rejection with its reason and leaves the spec and lineage as they were', async () => {
        const { sandbox, spec, text } = farmRepository();
        const head = sandbox.head();
        const rejected = await grow(spec, text, { decision: 'reject', reason: 'not this season' }).result;
        expect(rejected).toMatchObject({ status: 'rejected', reason: 'not this season' });
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
        expect(sandbox.head()).toBe(head);
        expect(sandbox.git('tag', '--list').trim()).toBe('');
        expect(JSON.parse(fs.readFileSync(path.join(rejected.logsRoot, 'rejection.json'), 'utf8')).reason).toBe('not this season');
    });

    it('stops at Safety with the rule it breaks, before any review', async () => {
        const { sandbox, spec, text } = farmRepository('    desire organic {\n      constraint "Only organic sprays"\n    }\n');
        const { result, reviewed } = grow(spec, text, { decision: 'approve' });
        const vetoed = await result;
        expect(vetoed.status).toBe('vetoed');
        expect(vetoed.message).toContain('Safety vetoed the growth: Morph add_guardrail is not allowed');
        expect(vetoed.pr?.safety.vetoes.length).toBeGreaterThan(0);
        expect(vetoed.pr?.simulation.added).toContain('guardrail:Only_organic_sprays');
        expect(reviewed).toEqual([]);
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
        // The run's folder is kept out of git by the .factory/.gitignore it wrote (itself included).
        expect(sandbox.status()).toEqual([' M farm/farm-ops.fspec']);
    });

    it('runs the proposed app\'s tests on the stored records; a required test that does not pass makes the growth not approvable', async () => {
        const { sandbox, spec, text } = farmRepository();
        const passed = await grow(spec, text, { decision: 'reject', reason: 'only looking' }).result;
        expect(passed.pr?.simulation.tests.find(t => t.name === 'tuesday_reserved')).toMatchObject({ required: true, status: 'pass' });

        // An allocator the Toolsmith cannot grow: the test covering it cannot pass.
        const unknownAllocator = text.replace('strategy priority', 'strategy lottery');
        fs.writeFileSync(spec, unknownAllocator);
        const { result, reviewed } = grow(spec, unknownAllocator, { decision: 'approve' });
        const refused = await result;
        expect(refused.status).toBe('vetoed');
        expect(refused.message).toMatch(/^The Tester refused the growth: required test tuesday_reserved is not grown \(.*allocate.*\)/);
        expect(refused.pr?.simulation.tests.find(t => t.name === 'tuesday_reserved')).toMatchObject({ required: true, status: 'not-grown' });
        expect(reviewed).toEqual([]);
        expect(fs.readFileSync(spec, 'utf8')).toBe(unknownAllocator);
        expect(sandbox.git('tag', '--list').trim()).toBe('');
    });

    it('has nothing to grow when every desire is realized', async () => {
        const { spec } = farmRepository('');
        const result = await grow(spec, fs.readFileSync(spec, 'utf8'), { decision: 'approve' }).result;
        expect(result).toMatchObject({ status: 'nothing-to-grow', message: 'FarmOps has no new desires: every desire\'s outputs, constraints and sources are realized.' });
    });

    it('refuses a spec with errors before planning, saying how many and where the first is (the editor keeps its notice until they are fixed)', async () => {
        const { spec, text } = farmRepository();
        const broken = text.replace('enforces no_phi_harvest', 'enforces no_phi_harvest, no_such_guardrail');
        fs.writeFileSync(spec, broken);
        const result = await grow(spec, broken, { decision: 'approve' }).result;
        expect(result).toMatchObject({ status: 'failed', specErrors: 1 });
        expect(result.message).toMatch(/^farm-ops\.fspec has 1 error; fix it before growing \(line \d+: .*no_such_guardrail.*\)\.$/);
        expect(fs.readFileSync(spec, 'utf8')).toBe(broken);
    });

    it('refuses before planning when the spec is not in a git repository', async () => {
        const folder = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'fspec-norepo-'));
        const spec = path.join(folder, 'farm-ops.fspec');
        const text = withDesires(farmFile, tuesdayDesire);
        fs.writeFileSync(spec, text);
        const result = await grow(spec, text, { decision: 'approve' }).result;
        expect(result.status).toBe('failed');
        expect(result.message).toContain('is not in a git repository');
        // The editor offers to initialize a repository in this folder.
        expect(result.repositoryMissing).toBe(folder);
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
    });

    it('grows a variant on its branch: its own version line, tag and lineage entry; the main line goes on unaffected', async () => {
        const { sandbox, spec, text } = farmRepository();
        expect((await grow(spec, text, { decision: 'approve' }).result).status).toBe('grown');
        const opened = await SpecRepository.open(spec);
        if (opened.kind !== 'repository') {
            throw new Error('expected a repository');
        }
        await opened.repository.startVariant('FarmOps', 'coastal');
        const mainHead = sandbox.git('rev-parse', 'main').trim();

        const marketDesire = '    desire market_prices "Price by the coastal market" {\n      trusted_source market_feed\n    }\n';
        const variantText = fs.readFileSync(spec, 'utf8').replace('  desires {\n', `  desires {\n${marketDesire}`);
        fs.writeFileSync(spec, variantText);
        const grown = await grow(spec, variantText, { decision: 'approve' }).result;
        expect(grown).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.4.0-coastal' });
        expect(grown.pr?.stage).toMatchObject({ name: 'market_prices_grown', version: '0.4.0-coastal', variant: 'coastal', from: 'tuesday_shortfalls_grown' });
        const onBranch = fs.readFileSync(spec, 'utf8');
        expect(onBranch).toContain('version "0.4.0-coastal"');
        expect(onBranch).toMatch(/^\s*variant market_prices_grown "0\.4\.0-coastal" from tuesday_shortfalls_grown by add_source market_feed$/m);
        expect(sandbox.git('branch', '--show-current').trim()).toBe('fspec/FarmOps/coastal');
        expect(sandbox.git('rev-parse', 'main').trim()).toBe(mainHead);

        // Back on the main line, the next growth is 0.4.0: the variant's versions are its own.
        sandbox.git('checkout', '--quiet', 'main');
        const mainText = fs.readFileSync(spec, 'utf8').replace('  desires {\n', `  desires {\n${marketDesire}`);
        fs.writeFileSync(spec, mainText);
        const onMain = await grow(spec, mainText, { decision: 'approve' }).result;
        expect(onMain).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.4.0' });
        expect(onMain.pr?.stage.variant).toBeUndefined();
    });

    it('leaves spec and lineage untouched when git is missing, saying how to get it', async () => {
        const { sandbox, spec, text } = farmRepository();
        const result = await withoutGitOnPath(() => grow(spec, text, { decision: 'approve' }).result);
        expect(result).toMatchObject({ status: 'failed', message: expect.stringContaining('git was not found: install git') });
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
        expect(sandbox.git('tag', '--list').trim()).toBe('');
    });

    it('applies nothing when the spec changed on disk during the review', async () => {
        const { sandbox, spec, text } = farmRepository();
        const edited = text.replace('Farm planning', 'Farm planning (edited)');
        const result = await runGrowth(services, {
            specPath: spec, text,
            review: async () => { fs.writeFileSync(spec, edited); return { decision: 'approve' }; },
            deploy: (file, grown) => atomicWrite(file, grown)
        });
        expect(result).toMatchObject({ status: 'failed', message: 'farm-ops.fspec changed on disk while the growth was under review; nothing was applied. Save your edits and grow again.' });
        expect(fs.readFileSync(spec, 'utf8')).toBe(edited);
        expect(sandbox.git('tag', '--list').trim()).toBe('');
    });

    it('reports a step that throws and keeps the spec as it was', async () => {
        const { sandbox, spec, text } = farmRepository();
        const result = await runGrowth(services, {
            specPath: spec, text,
            review: async () => ({ decision: 'approve' }),
            deploy: async () => { throw new Error('disk full'); }
        });
        expect(result).toMatchObject({ status: 'failed', message: expect.stringContaining('disk full') });
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
        expect(sandbox.git('tag', '--list').trim()).toBe('');
    });

    it('restores the spec when the lineage refuses the commit (HEAD is detached)', async () => {
        const { sandbox, spec, text } = farmRepository();
        sandbox.git('checkout', '--quiet', '--detach');
        const approvedCopy = fs.readFileSync(sandbox.path('farm/.factory/approved/FarmOps.fspec'), 'utf8');
        const result = await grow(spec, text, { decision: 'approve' }).result;
        expect(result.status).toBe('failed');
        expect(result.message).toMatch(/^The growth was not recorded, so the spec was restored: HEAD is detached/);
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
        expect(fs.readFileSync(sandbox.path('farm/.factory/approved/FarmOps.fspec'), 'utf8')).toBe(approvedCopy);
        expect(sandbox.git('rev-list', '--count', 'HEAD').trim()).toBe('1');
    });

    it('cancels a run waiting for review: the result says so and the spec is unchanged', async () => {
        const { spec, text } = farmRepository();
        const controller = new AbortController();
        const result = await runGrowth(services, {
            specPath: spec, text, signal: controller.signal,
            review: (_pr, signal) => new Promise((_resolve, reject) => {
                signal.addEventListener('abort', () => reject(signal.reason));
                controller.abort(new Error('cancelled by the user'));
            }),
            deploy: (file, grown) => atomicWrite(file, grown)
        });
        expect(result).toMatchObject({ status: 'cancelled', message: 'The growth of FarmOps was cancelled; the spec and its lineage are unchanged.' });
        expect(fs.readFileSync(spec, 'utf8')).toBe(text);
    });
});
