import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { processStat } from '../../scripts/process-lifetime.mjs';
import { descendants, until } from '../processes.js';
import { farm, farmProject, fspec, root, systemNode } from './run-fspec.js';

function lineOf(file: string, text: string): number {
    return fs.readFileSync(file, 'utf8').split('\n').findIndex(line => line.includes(text)) + 1;
}

const noStackTrace = /\n\s+at /;

/** `fspec validate examples` run in the project: each shipped example notes the one desire it ships not realized yet. */
function examplesValidated(): string {
    const farmSpec = 'examples/farmer-contract-allocation/farm-ops.fspec';
    const policySpec = 'examples/immigration-policy-impact/policy-impact.fspec';
    return [
        `${farmSpec}:${lineOf(path.join(root, farmSpec), 'desire buyer_invoices')}:12 info pending-desire Desire 'buyer_invoices' is not realized yet: nothing in the spec produces 'invoice_board'.`,
        `${policySpec}:${lineOf(path.join(root, policySpec), 'desire draft_review')}:12 info pending-desire Desire 'draft_review' is not realized yet: nothing in the spec produces 'review_queue'.`,
        '2 specs checked: 0 errors, 0 warnings.'
    ].join('\n');
}

beforeAll(() => {
    expect(fs.existsSync(path.join(root, 'out/cli.cjs')), 'run `npm run build` first').toBe(true);
});

describe('fspec validate', () => {
    test('both examples validate with no errors and exit 0, each noting its pending desire', async () => {
        const run = await fspec(['validate', 'examples']);
        expect(run.stdout.trim()).toBe(examplesValidated());
        expect(run.code).toBe(0);
    });

    test('a purpose changed against the approved version is an error on the purpose line, exit 1', async () => {
        const dir = farmProject(t => t.replace('purpose "Farm planning and evidence aware operations"', 'purpose "Crypto trading signals"'));
        const run = await fspec(['validate', 'farm-ops.fspec'], { cwd: dir });
        const line = lineOf(path.join(dir, 'farm-ops.fspec'), 'Crypto trading');
        expect(run.stdout).toContain(`farm-ops.fspec:${line}:5 error prohibited-change Identity invariant 'prohibit change purpose' forbids this change: purpose: text "Farm planning and evidence aware operations" → "Crypto trading signals".`);
        expect(run.code).toBe(1);
    });

    test('a step removed with no rule allowing it is an error naming the morph', async () => {
        const dir = farmProject(t => t.replace(/\n\s*step route_plan .*/, ''));
        const run = await fspec(['validate', 'farm-ops.fspec'], { cwd: dir });
        const line = lineOf(path.join(dir, 'farm-ops.fspec'), 'pipeline contract_allocation');
        expect(run.stdout).toContain(`farm-ops.fspec:${line}:5 error morph-not-allowed Morph remove_step is not allowed: step 'route_plan' removed from pipeline 'contract_allocation'`);
        expect(run.code).toBe(1);
    });

    test('--json prints the diagnostics as records', async () => {
        const dir = farmProject(t => t.replace('enforces no_phi_harvest', 'enforces no_phi_harvst'));
        const run = await fspec(['validate', '--json', '.'], { cwd: dir });
        expect(JSON.parse(run.stdout)).toEqual([{
            file: 'farm-ops.fspec', line: lineOf(path.join(dir, 'farm-ops.fspec'), 'no_phi_harvst'), column: 68, endLine: expect.any(Number), endColumn: 81,
            severity: 'error', code: 'linking-error', message: "Unknown guardrail 'no_phi_harvst'. Did you mean 'no_phi_harvest'?"
        }]);
        expect(run.code).toBe(1);
    });

    test('warnings alone keep exit 0', async () => {
        const run = await fspec(['validate', 'examples/farmer-contract-allocation/.factory/approved/FarmOps.fspec']);
        expect(run.stdout).toMatch(/:\d+:\d+ warning unguarded-protected-field Panel 'spray_records' shows SprayEvent.phi_days \(phi\)/);
        expect(run.stdout).toContain('1 spec checked: 0 errors, 1 warning.');
        expect(run.code).toBe(0);
    });
});

describe('fspec normalize', () => {
    test('prints the spec graph with typed nodes and edges', async () => {
        const run = await fspec(['normalize', 'examples/farmer-contract-allocation/farm-ops.fspec']);
        expect(run.code).toBe(0);
        const graph = JSON.parse(run.stdout);
        expect([graph.spec, graph.version, graph.stage]).toEqual(['FarmOps', '0.2.0', 'juvenile']);
        expect(graph.nodes).toContainEqual({ id: 'gate:contract_allocation.phi_gate', kind: 'gate', name: 'phi_gate', parent: 'pipeline:contract_allocation', attrs: { title: 'PHI gate' } });
        expect(graph.edges).toContainEqual({ kind: 'enforces', from: 'gate:contract_allocation.phi_gate', to: 'guardrail:no_phi_harvest' });
        expect(graph.edges).toContainEqual({ kind: 'covers', from: 'test:phi_blocks_untouched', to: 'gate:contract_allocation.phi_gate' });
        expect(graph.edges).toContainEqual({ kind: 'accepts', from: 'plate:gates', to: 'rule:insert_gate' });
        expect(graph.edges).toContainEqual({ kind: 'requires', from: 'rule:swap_allocator', to: 'test:tuesday_reserved' });
        expect(graph.edges).toContainEqual({ kind: 'from', from: 'stage:juvenile', to: 'stage:seed' });
    });

    test('is stable: the same spec re-laid-out and commented gives byte-identical JSON', async () => {
        const dir = farmProject(t => t.replace(/\n/g, '\n\n').replace(/ {2}/g, '    ').replace('spec FarmOps', '// reformatted\nspec FarmOps'));
        const [original, relaid] = await Promise.all([
            fspec(['normalize', 'farm-ops.fspec'], { cwd: farmProject() }),
            fspec(['normalize', 'farm-ops.fspec'], { cwd: dir })
        ]);
        expect(original.code).toBe(0);
        expect(relaid.code).toBe(0);
        expect(relaid.stdout).toBe(original.stdout);
    });

    test('refuses a spec that does not link, showing why', async () => {
        const dir = farmProject(t => t.replace('reads Block output Forecast', 'reads Blok output Forecast'));
        const run = await fspec(['normalize', 'farm-ops.fspec'], { cwd: dir });
        expect(run.stderr).toMatch(/farm-ops\.fspec:\d+:\d+ error linking-error Unknown entity 'Blok'\. Did you mean 'Block'\?/);
        expect(run.stderr).toContain('farm-ops.fspec does not parse or link; fix the errors above first.');
        expect(run.code).toBe(1);
    });
});

describe('fspec diff', () => {
    test('lists the morphs from the approved version to the current one', async () => {
        const run = await fspec(['diff', '.factory/approved/FarmOps.fspec', 'farm-ops.fspec'], { cwd: farm });
        expect(run.code).toBe(0);
        const gateLine = lineOf(path.join(farm, 'farm-ops.fspec'), 'gate phi_gate');
        expect(run.stdout).toContain(`farm-ops.fspec:${gateLine}:7 insert_gate gate 'phi_gate' added to pipeline 'contract_allocation'`);
        expect(run.stdout).toContain(`swap_allocator step 'allocate': strategy "first_come" → "priority"`);
        // The desire the example ships with, not realized yet, is one of them.
        expect(run.stdout).toContain(`farm-ops.fspec:${lineOf(path.join(farm, 'farm-ops.fspec'), 'desire buyer_invoices')}:5 add_desire desire 'buyer_invoices' added`);
        expect(run.stdout.trim().split('\n').at(-1)).toBe('13 morphs from .factory/approved/FarmOps.fspec to farm-ops.fspec.');
    });

    test('--json gives each morph with kind, target, scope and location', async () => {
        const run = await fspec(['diff', '--json', '.factory/approved/FarmOps.fspec', 'farm-ops.fspec'], { cwd: farm });
        const morphs = JSON.parse(run.stdout);
        expect(morphs.find((m: { kind: string }) => m.kind === 'add_source')).toMatchObject({
            change: 'add', element: 'source', target: 'source:contracts_feed', file: 'farm-ops.fspec',
            scope: ['source:contracts_feed', 'section:evidence_policy', 'spec:FarmOps'],
            range: { start: { line: lineOf(path.join(farm, 'farm-ops.fspec'), 'source contracts_feed "') - 1, character: 4 } }
        });
    });

    test('says so when nothing changed', async () => {
        const run = await fspec(['diff', 'farm-ops.fspec', 'farm-ops.fspec'], { cwd: farm });
        expect(run.stdout.trim()).toBe('No changes.');
    });
});

describe('bad input gets a clear message and a non-zero exit, never a stack trace', () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-bad-'));

    test('no path, an unknown option or an unknown command is bad input (2), with the usage', async () => {
        const noPath = await fspec(['validate'], { cwd: scratch });
        expect(noPath.stderr).toMatch(/^error: missing required argument 'paths'\n\nUsage: fspec validate \[options\] <paths\.\.\.>/);
        expect(noPath.code).toBe(2);
        const unknownOption = await fspec(['validate', '--strict', 'a.fspec'], { cwd: scratch });
        expect(unknownOption.stderr).toMatch(/^error: unknown option '--strict'/);
        expect(unknownOption.code).toBe(2);
        const unknownCommand = await fspec(['check', 'a.fspec'], { cwd: scratch });
        expect(unknownCommand.stderr).toMatch(/^error: unknown command 'check'/);
        expect(unknownCommand.code).toBe(2);
        expect((await fspec(['--help'], { cwd: scratch })).code).toBe(0);
    });

    test('the help says where the approved baseline comes from, as the README does: the git tag first, then .factory/approved/', async () => {
        const help = (await fspec(['--help'], { cwd: scratch })).stdout.replace(/\s+/g, ' ');
        expect(help).toContain('the newest fspec/<SpecName>/v<version> tag reachable from HEAD in its git repository, else .factory/approved/<SpecName>.fspec in its folder or an ancestor');
        const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8').replace(/\s+/g, ' ');
        expect(readme).toContain('the newest `fspec/<SpecName>/v<version>` tag reachable from HEAD in the spec\'s git repository (the Historian writes one for every approved growth), else `.factory/approved/<SpecName>.fspec`');
    });

    test('a missing file', async () => {
        const run = await fspec(['validate', 'no-such.fspec'], { cwd: scratch });
        expect(run.stderr.trim()).toBe('fspec: no-such.fspec: no such file or directory');
        expect(run.code).toBe(2);
    });

    test('a directory with no specs', async () => {
        fs.mkdirSync(path.join(scratch, 'empty'));
        const run = await fspec(['validate', 'empty'], { cwd: scratch });
        expect(run.stderr.trim()).toBe('fspec: empty: no .fspec files in this directory');
        expect(run.code).toBe(2);
    });

    test('binary garbage', async () => {
        fs.writeFileSync(path.join(scratch, 'garbage.fspec'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0xff, 0xfe, 0x00, 0x01]));
        const run = await fspec(['validate', 'garbage.fspec'], { cwd: scratch });
        expect(run.stderr.trim()).toBe('fspec: garbage.fspec: binary content, not a .fspec text file');
        expect(run.code).toBe(2);
    });

    test('a 5 MB file', async () => {
        fs.writeFileSync(path.join(scratch, 'huge.fspec'), '// filler\n'.repeat(500_000));
        const run = await fspec(['normalize', 'huge.fspec'], { cwd: scratch });
        expect(run.stderr.trim()).toBe('fspec: huge.fspec: too large (4.8 MiB; a spec may be at most 4 MiB)');
        expect(run.code).toBe(2);
    });

    test('an unterminated string is a located error', async () => {
        fs.writeFileSync(path.join(scratch, 'open.fspec'), 'spec App version "1.0.0 {\n}\n');
        const run = await fspec(['validate', 'open.fspec'], { cwd: scratch });
        expect(run.stdout).toMatch(/^open\.fspec:1:18 error lexing-error unexpected character: ->"<- at offset: 17/m);
        expect(run.stdout + run.stderr).not.toMatch(noStackTrace);
        expect(run.stdout).not.toContain('An error occurred');
        expect(run.code).toBe(1);
    });

    test('a text file that is not a spec', async () => {
        fs.writeFileSync(path.join(scratch, 'notes.fspec'), 'Buy milk.\n');
        const run = await fspec(['validate', 'notes.fspec'], { cwd: scratch });
        expect(run.stdout).toMatch(/^notes\.fspec:1:1 error parsing-error Expecting token of type 'spec' but found `Buy`\./m);
        expect(run.code).toBe(1);
    });

    test('an unknown command shows help', async () => {
        const run = await fspec(['frobnicate']);
        expect(run.stderr).toContain("error: unknown command 'frobnicate'");
        expect(run.stderr).toContain('Usage: fspec');
        expect(run.stderr).not.toMatch(noStackTrace);
        expect(run.code).not.toBe(0);
    });
});

test('--help names every command and the exit codes', async () => {
    const run = await fspec(['--help']);
    for (const text of ['validate [options] <paths...>', 'normalize <file>', 'diff [options] <old> <new>', 'Exit codes: 0 success, 1 the spec has errors (grow: vetoed or failed), 2 bad input']) {
        expect(run.stdout).toContain(text);
    }
});

test('the bin also runs from the machine\'s own node, handing over to the pinned one when that is older than 22', async () => {
    const node = systemNode();
    expect(node, 'a node outside the project is on PATH (npm itself needs one)').toBeDefined();
    const run = await fspec(['validate', 'examples'], { node });
    expect(run.stdout.trim()).toBe(examplesValidated());
});

test('when the machine\'s node started the bin and is killed with SIGKILL, the pinned node it handed over to exits too', async () => {
    const node = systemNode()!;
    for (const bin of [['bin/fspec.cjs', 'pipeline', 'serve', '--port', '0'], ['bin/fspec-language-server.cjs', '--stdio']]) {
        const wrapper = spawn(node, bin.map((arg, i) => i === 0 ? path.join(root, arg) : arg), { cwd: fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-wrapper-')), stdio: ['pipe', 'pipe', 'pipe'] });
        const pinned = await until(`${bin[0]}'s pinned node`, () => descendants(wrapper.pid!)[0]?.pid);
        wrapper.kill('SIGKILL');
        try {
            expect(await until(`${bin[0]}'s pinned node to exit`, () => processStat(pinned) === undefined || undefined, 5000)).toBe(true);
        } finally {
            if (processStat(pinned)) {
                process.kill(pinned, 'SIGKILL');
            }
        }
    }
}, 30_000);
