import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { farmProject, fspec, root } from '../cli/run-fspec.js';

const bundle = path.join(root, 'out/cli.cjs');
const immigration = 'examples/immigration-policy-impact/policy-impact.fspec';

function newestSource(folder: string): number {
    return Math.max(...fs.readdirSync(folder, { withFileTypes: true }).map(entry => {
        const full = path.join(folder, entry.name);
        return entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs;
    }));
}

/** A temporary project holding the farm spec (edited) and its approved version. */
beforeAll(() => {
    // The bin runs the bundle: rebuild it when the sources are newer (only then, since other CLI tests run it concurrently).
    if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < newestSource(path.join(root, 'language-server/src'))) {
        execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root });
    }
});

describe('fspec render', () => {
    test('prints the flowchart by default', async () => {
        const run = await fspec(['render', immigration]);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^flowchart LR\n {2}subgraph pipeline_policy_impact \["Policy impact"\]\n/);
        expect(run.stdout).toContain('  subgraph pipeline_weekly_digest ["Weekly digest"]\n');
        expect(run.stdout).toMatch(/[^\n]\n$/);
    });

    test('renders each mode', async () => {
        const starts = await Promise.all(['mindmap', 'board', 'lineage'].map(mode => fspec(['render', immigration, '--mode', mode])));
        expect(starts.map(run => run.stdout.split('\n').slice(0, 2))).toEqual([
            ['mindmap', '  spec_PolicyImpact(("PolicyImpact"))'],
            ['flowchart LR', '  subgraph column_backlog ["Backlog"]'],
            ['graph TD', '  stage_seed["seed v0.1.0"]']
        ]);
    });

    test('--pipeline renders that pipeline only', async () => {
        const run = await fspec(['render', immigration, '--pipeline', 'weekly_digest']);
        expect(run.stdout).toContain('subgraph pipeline_weekly_digest');
        expect(run.stdout).not.toContain('subgraph pipeline_policy_impact');
    });

    test('the board judges the growth since the approved version as validate does', async () => {
        const dir = farmProject(text => text.replace(/\n\s*step route_plan .*/, ''));
        const run = await fspec(['render', 'farm-ops.fspec', '--mode', 'board'], { cwd: dir });
        expect(run.code).toBe(0);
        const inProgress = run.stdout.slice(run.stdout.indexOf('["In progress"]'), run.stdout.indexOf('["Review"]'));
        const review = run.stdout.slice(run.stdout.indexOf('["Review"]'), run.stdout.indexOf('["Done"]'));
        expect(inProgress).toContain("[\"remove_step<br>step 'route_plan' removed from pipeline 'contract_allocation'\"]");
        expect(review).toContain("[\"add_source<br>source 'contracts_feed' added\"]");
    });

    test('--out writes the file and prints nothing', async () => {
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-render-')), 'lineage.mmd');
        const run = await fspec(['render', immigration, '--mode', 'lineage', '--out', out]);
        expect([run.code, run.stdout]).toEqual([0, '']);
        expect(fs.readFileSync(out, 'utf8')).toMatch(/^graph TD\n[\s\S]*stage_juvenile -\.->\|"major"\| stage_mature\n/);
    });

    test.each([
        [['--mode', 'kanban'], "fspec: unknown mode 'kanban'; use one of flowchart, mindmap, board, lineage"],
        [['--pipeline', 'nope'], `fspec: ${immigration}: No pipeline 'nope' in this spec. Pipelines: policy_impact, weekly_digest.`],
        [['--mode', 'mindmap', '--pipeline', 'weekly_digest'], 'fspec: --pipeline applies to --mode flowchart only'],
        [['--out', '/no/such/folder/x.mmd'], 'fspec: /no/such/folder/x.mmd: cannot write (ENOENT)']
    ])('bad input %j is one clear line, exit 2', async (args, message) => {
        const run = await fspec(['render', immigration, ...args]);
        expect(run.stderr.trim()).toBe(message);
        expect(run.code).toBe(2);
    });

    test('a missing file is bad input, exit 2', async () => {
        const run = await fspec(['render', 'no-such.fspec']);
        expect(run.stderr.trim()).toBe('fspec: no-such.fspec: no such file');
        expect(run.code).toBe(2);
    });

    test('a spec that does not link is refused as normalize refuses it', async () => {
        const dir = farmProject(text => text.replace('reads Block output Forecast', 'reads Blok output Forecast'));
        const run = await fspec(['render', 'farm-ops.fspec', '--mode', 'mindmap'], { cwd: dir });
        expect(run.stderr).toMatch(/farm-ops\.fspec:\d+:\d+ error linking-error Unknown entity 'Blok'\. Did you mean 'Block'\?/);
        expect(run.stderr).toContain('farm-ops.fspec does not parse or link; fix the errors above first.');
        expect([run.code, run.stdout]).toEqual([1, '']);
    });

    test('--help lists render with its options', async () => {
        const run = await fspec(['render', '--help']);
        for (const text of ['Usage: fspec render [options] <file>', '--mode <mode>', '--pipeline <name>', '--out <file>']) {
            expect(run.stdout).toContain(text);
        }
    });
});
