import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GrowthResult } from '../../language-server/src/crew/mutation-pr.js';
import { Sandbox, withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { exampleRepository } from '../crew/example-repository.js';
import { examplesFolder, farmFile, shippedPendingDesires, withDesires } from '../crew/example-specs.js';
import { hang, httpError, startScriptedOpenAiServer, streamedText, streamedToolCall } from '../crew/llm/scripted-openai-server.js';
import { fspecWithInput, root } from './run-fspec.js';

withoutGlobalGitConfig();



const tuesday = '    desire tuesday_first {\n      goal "Reserve Tuesday contracts first"\n      constraint "PHI compliant"\n      output packlists, invoices, shortfall_alerts\n    }\n';

describe('fspec grow', () => {
    it('shows the mutation PR and applies it when the answer on stdin approves', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesday);
        const run = await fspecWithInput(['grow', 'farm-ops.fspec'], 'maybe\na\n', sandbox.folder);
        expect(run.stderr).toContain('Mutation PR');
        expect(run.stderr).toContain('+      step shortfall_alerts "Shortfall alerts" reads Invoice');
        expect(run.stderr).toContain('Answer "a" to approve or "r <reason>" to reject (got "maybe").');
        // The offline Toolsmith cannot grow the new step: recorded, but its app is not deployed.
        expect(run.stdout.trim()).toMatch(/^FarmOps grew to 0\.3\.0 \(tuesday_first_grown\): commit [0-9a-f]{7}, tag fspec\/FarmOps\/v0\.3\.0; not deployed: 0 failed and 1 not grown of 4 acceptance tests, nothing is deployed\.$/);
        expect(run.stderr).toContain('  Deployer: Deploy the approved version: build, test, mark deployed\n');
        expect(run.stderr).toContain('`fspec deploy farm-ops.fspec` shows the acceptance report, and deploys 0.3.0 once its tests pass.');
        expect(run.code).toBe(0);
        expect(sandbox.git('tag', '--list').trim()).toBe('fspec/FarmOps/v0.3.0');
        expect(fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8')).toContain('spec FarmOps version "0.3.0" stage tuesday_first_grown {');

        // The grown spec is the new approved baseline: it validates clean against its own tag.
        const validated = await fspecWithInput(['validate', 'farm-ops.fspec'], '', sandbox.folder);
        expect(validated.stdout).toContain('1 spec checked: 0 errors');

        // The lineage reads the recorded version from git.
        const commit = sandbox.git('rev-parse', '--short=7', 'HEAD').trim();
        const lineage = await fspecWithInput(['lineage', 'farm-ops.fspec'], '', sandbox.folder);
        expect(lineage.stdout).toMatch(new RegExp(`^\\* stage tuesday_first_grown 0\\.3\\.0 from juvenile by add_step shortfall_alerts  \\[fspec/FarmOps/v0\\.3\\.0 ${commit} \\d{4}-\\d\\d-\\d\\d\\]$`, 'm'));
        expect(lineage.stdout).toContain('Approved baseline: 0.3.0 (git tag fspec/FarmOps/v0.3.0 (farm-ops.fspec))');
        const diagram = await fspecWithInput(['render', 'farm-ops.fspec', '--mode', 'lineage'], '', sandbox.folder);
        expect(diagram.stdout).toContain(`commit ${commit}`);
    });

    it('grows the immigration example with --yes and prints the result as JSON', async () => {
        const desire = '    desire rfe_deadlines {\n      goal "Alert paralegals to RFE deadlines"\n      constraint client_data_stays\n      trusted_source state_bulletin\n      output rfe_alerts\n    }\n';
        const { sandbox } = exampleRepository('immigration-policy-impact', 'policy-impact.fspec', desire);
        const run = await fspecWithInput(['grow', 'policy-impact.fspec', '--yes', '--json'], '', sandbox.folder);
        expect(run.code).toBe(0);
        const result = JSON.parse(run.stdout) as GrowthResult;
        expect(result).toMatchObject({ status: 'grown', tag: 'fspec/PolicyImpact/v1.2.0' });
        expect(result.pr?.plan.morphs.map(m => m.type)).toEqual(['add_source', 'add_step', 'add_test']);
        expect(sandbox.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n')).toEqual(['.factory/approved/PolicyImpact.fspec', 'policy-impact.fspec']);
    });

    it('with --yes it exits once the growth is recorded, even while stdin is a pipe nobody closes (it hung before)', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesday);
        const child = spawn(process.execPath, [path.join(root, 'bin/fspec.cjs'), 'grow', 'farm-ops.fspec', '--yes'], { cwd: sandbox.folder, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.on('data', chunk => stdout += chunk);
        const code = await new Promise<number | null>(resolve => {
            const stuck = setTimeout(() => {
                child.kill('SIGKILL');
                resolve(null);
            }, 20_000);
            child.on('exit', exit => {
                clearTimeout(stuck);
                resolve(exit);
            });
        });
        child.stdin.end();
        expect({ code, stdout: stdout.trim() }).toMatchObject({ code: 0, stdout: expect.stringMatching(/^FarmOps grew to 0\.3\.0 /) });
        expect(sandbox.git('tag', '--list', 'fspec/FarmOps/v*').trim()).toBe('fspec/FarmOps/v0.3.0');
    }, 30_000);

    it('a second growth of a spec while one waits for its review says plainly that the other holds the spec, and changes nothing', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesday);
        const first = spawn(process.execPath, [path.join(root, 'bin/fspec.cjs'), 'grow', 'farm-ops.fspec'], { cwd: sandbox.folder, stdio: ['pipe', 'pipe', 'pipe'] });
        let firstOut = '';
        first.stdout.on('data', chunk => firstOut += chunk);
        let waiting = '';
        await new Promise<void>(resolve => first.stderr.on('data', chunk => {
            waiting += chunk;
            if (waiting.includes('Mutation PR')) {
                resolve();
            }
        }));
        const second = await fspecWithInput(['grow', 'farm-ops.fspec', '--yes'], '', sandbox.folder);
        expect(second.code).toBe(1);
        expect(second.stdout.trim()).toMatch(/^Another growth of farm-ops\.fspec is running \(run \S+, process \d+, since \S+\): it holds the spec until it ends; grow again then\.$/);
        expect(sandbox.git('tag', '--list').trim()).toBe('');

        first.stdin.end('a\n');
        expect(await new Promise(resolve => first.on('exit', resolve))).toBe(0);
        expect(firstOut.trim()).toMatch(/^FarmOps grew to 0\.3\.0 /);
        expect(sandbox.git('tag', '--list', 'fspec/FarmOps/v*').trim()).toBe('fspec/FarmOps/v0.3.0');
    }, 60_000);

    it('rejects with the reason given, and treats no answer as a rejection', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesday);
        const before = fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8');
        const rejected = await fspecWithInput(['grow', 'farm-ops.fspec'], 'r wait for the new season\n', sandbox.folder);
        expect(rejected.stdout.trim()).toBe('The growth of FarmOps to 0.3.0 was rejected (wait for the new season); the spec is unchanged.');
        const silent = await fspecWithInput(['grow', 'farm-ops.fspec'], '', sandbox.folder);
        expect(silent.stdout.trim()).toBe('The growth of FarmOps to 0.3.0 was rejected (no answer given); the spec is unchanged.');
        expect(fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8')).toBe(before);
        expect(sandbox.git('tag', '--list').trim()).toBe('');
    });

    it('exits 1 with the veto when Safety refuses the growth', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', '    desire organic {\n      constraint "Only organic sprays"\n    }\n');
        const run = await fspecWithInput(['grow', 'farm-ops.fspec', '--yes'], '', sandbox.folder);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('Safety vetoed the growth: Morph add_guardrail is not allowed');
        expect(run.stderr).toContain('Safety: VETOED');
    });

    it('offers --init outside a repository, and grows after it', async () => {
        const sandbox = new Sandbox();
        fs.cpSync(path.dirname(farmFile), sandbox.folder, { recursive: true });
        fs.writeFileSync(sandbox.path('farm-ops.fspec'), withDesires(farmFile, tuesday));
        const refused = await fspecWithInput(['grow', 'farm-ops.fspec', '--yes'], '', sandbox.folder);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toContain('is not in a git repository');
        const grown = await fspecWithInput(['grow', 'farm-ops.fspec', '--yes', '--init'], '', sandbox.folder);
        expect(grown.stderr).toContain('Initialized a git repository');
        expect(grown.code).toBe(0);
        expect(sandbox.git('tag', '--list').trim()).toBe('fspec/FarmOps/v0.3.0');
    });

    it('leaves a fresh repository clean: what it derives is ignored, what the spec needs is committed, also after build and test', async () => {
        const sandbox = new Sandbox();
        fs.cpSync(path.dirname(farmFile), sandbox.folder, { recursive: true });
        fs.writeFileSync(sandbox.path('farm-ops.fspec'), withDesires(farmFile, tuesday));
        const grown = await fspecWithInput(['grow', 'farm-ops.fspec', '--yes', '--init'], '', sandbox.folder);
        expect(grown.code).toBe(0);
        expect(fs.existsSync(sandbox.path('.factory/build/0.3.0/manifest.json'))).toBe(true);
        expect(sandbox.status()).toEqual([]);

        expect((await fspecWithInput(['build', 'farm-ops.fspec'], '', sandbox.folder)).code).toBe(0);
        await fspecWithInput(['test', 'farm-ops.fspec', '--today', '2025-06-02'], '', sandbox.folder);
        expect(sandbox.status()).toEqual([]);
    });
});

describe('fspec grow on a fresh clone of the shipped examples', () => {
    /** Each example as shipped: its next version is the next minor, and the growth adds one test (the desire's) to the ones it has. */
    const shipped = [
        { example: 'farmer-contract-allocation', spec: 'farm-ops.fspec', name: 'FarmOps', next: '0.3.0', tests: 3 + 1 },
        { example: 'immigration-policy-impact', spec: 'policy-impact.fspec', name: 'PolicyImpact', next: '1.2.0', tests: 4 + 1 }
    ];

    for (const { example, spec, name, next, tests } of shipped) {
        it(`grows ${spec}, copied unchanged, from its pending desire with --yes: recorded, deployed with all its acceptance tests passing, the repository clean`, async () => {
            const shippedSpec = path.join(examplesFolder, example, spec);
            const desire = shippedPendingDesires[shippedSpec];
            const sandbox = new Sandbox();
            fs.cpSync(path.join(examplesFolder, example), sandbox.folder, { recursive: true });
            expect(fs.readFileSync(sandbox.path(spec), 'utf8')).toBe(fs.readFileSync(shippedSpec, 'utf8'));
            sandbox.git('init', '--quiet', '--initial-branch=main');
            sandbox.git('add', '--all');
            sandbox.git('commit', '--quiet', '-m', 'Clone');

            const run = await fspecWithInput(['grow', spec, '--yes'], '', sandbox.folder);
            expect(run.code, run.stdout + run.stderr).toBe(0);
            const version = next.replaceAll('.', '\\.');
            expect(run.stdout.trim()).toMatch(new RegExp(`^${name} grew to ${version} \\(${desire}_grown\\): commit [0-9a-f]{7}, tag fspec/${name}/v${version}; deployed ${version} \\(${tests} acceptance tests passed\\)\\.$`));
            // Recorded and deployed: both tags on the growth's commit.
            expect(sandbox.git('tag', '--list', '--points-at', 'HEAD').trim().split('\n')).toEqual([`fspec/${name}/deployed/v${next}`, `fspec/${name}/v${next}`]);
            expect(sandbox.git('log', '-1', '--format=%s').trim()).toBe(`Grow ${name} to ${next} (${desire}_grown): ${desire}`);
            expect(sandbox.status()).toEqual([]);
            // The grown spec realizes the desire: nothing is pending any more.
            const validated = await fspecWithInput(['validate', spec], '', sandbox.folder);
            expect(validated.stdout.trim()).toBe('1 spec checked: 0 errors, 0 warnings.');
        });
    }
});

describe('fspec grow after the process died', () => {
    it('resumes a run killed while it waited for review from its checkpoint, to the same commit', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', tuesday);
        const before = fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8');
        const child = spawn(process.execPath, [path.join(root, 'bin/fspec.cjs'), 'grow', 'farm-ops.fspec'], { cwd: sandbox.folder });
        let stderr = '';
        const runId = await new Promise<string>(resolve => child.stderr.on('data', chunk => {
            stderr += chunk;
            const shown = /Mutation PR (\S+):/.exec(stderr);
            if (shown) {
                resolve(shown[1]);
            }
        }));
        child.kill('SIGKILL');
        await new Promise(resolve => child.on('close', resolve));
        expect(fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8')).toBe(before);
        expect(sandbox.git('tag', '--list').trim()).toBe('');

        const hint = await fspecWithInput(['grow', 'farm-ops.fspec'], 'r not now\n', sandbox.folder);
        expect(hint.stderr).toContain(`An earlier run stopped after its simulate step without finishing; \`fspec grow farm-ops.fspec --resume ${runId}\` continues it.`);
        const resumed = await fspecWithInput(['grow', 'farm-ops.fspec', '--resume', runId, '--yes'], '', sandbox.folder);
        expect(resumed.stderr).toContain(`Mutation PR ${runId}:`);
        expect(resumed.stderr).not.toContain('Planner: Propose morphs');
        expect(resumed.stdout).toMatch(/^FarmOps grew to 0\.3\.0/);
        expect(sandbox.git('tag', '--list').trim()).toBe('fspec/FarmOps/v0.3.0');
    });
});

describe('fspec grow with a model behind an OpenAI-compatible endpoint (scripted, on 127.0.0.1)', () => {
    const freeText = '    desire weather_aware {\n      goal "Take the weather into account when forecasting yields"\n    }\n';
    const plan = JSON.stringify({
        morphs: [{ type: 'add_source', name: 'weather_feed', tier: 'medium', cadence: 'daily' }],
        tests: []
    });
    const endpoint = (baseUrl: string) => ({ FSPEC_CREW_BASE_URL: baseUrl, FSPEC_CREW_MODEL: 'planner-test', FSPEC_CREW_API_KEY: 'sk-scripted', FSPEC_CREW_TIMEOUT_SECONDS: '2' });

    it('streams the Planner\'s tool call, survives a 429, and grows the free-text desire', async () => {
        const server = await startScriptedOpenAiServer(
            httpError(429, { error: { message: 'slow down' } }),
            streamedToolCall('submit_planner', [plan.slice(0, 20), plan.slice(20, 55), plan.slice(55)])
        );
        try {
            const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', freeText);
            const run = await fspecWithInput(['grow', 'farm-ops.fspec', '--yes', '--json'], '', sandbox.folder, endpoint(server.baseUrl));
            expect(run.stderr).toContain(`crew on openai-compatible/planner-test at ${server.baseUrl}`);
            const result = JSON.parse(run.stdout) as GrowthResult;
            expect(result).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.3.0' });
            expect(result.pr?.planner).toBe(`openai-compatible/planner-test at ${server.baseUrl}`);
            expect(server.requests).toHaveLength(2);
            expect(server.requests[1].headers.authorization).toBe('Bearer sk-scripted');
            expect(JSON.stringify(server.requests[1].body)).toContain('weather_aware');
        } finally {
            await server.close();
        }
    });

    it('fails clearly, leaving spec and lineage as they were, when the model hangs, keeps answering garbage or refuses the key', async () => {
        const cases: Array<{ steps: Parameters<typeof startScriptedOpenAiServer>, message: RegExp }> = [
            { steps: [hang()], message: /did not answer within 2 s/ },
            { steps: [streamedText(['{ "morphs": [']), streamedText(['not json']), streamedText(['still not'])], message: /planner.*3 attempts|3 attempts.*planner/i },
            { steps: [httpError(401, { error: { message: 'bad key sk-scripted' } })], message: /FSPEC_CREW_API_KEY/ }
        ];
        for (const { steps, message } of cases) {
            const server = await startScriptedOpenAiServer(...steps);
            try {
                const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', freeText);
                const before = fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8');
                const run = await fspecWithInput(['grow', 'farm-ops.fspec', '--yes'], '', sandbox.folder, endpoint(server.baseUrl));
                expect(run.code).toBe(1);
                expect(run.stdout).toMatch(message);
                expect(run.stdout + run.stderr).not.toContain('sk-scripted');
                expect(fs.readFileSync(sandbox.path('farm-ops.fspec'), 'utf8')).toBe(before);
                expect(sandbox.git('tag', '--list').trim()).toBe('');
                expect(sandbox.git('rev-list', '--count', 'HEAD').trim()).toBe('1');
            } finally {
                await server.close();
            }
        }
    });
});
