import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { exampleRepository } from '../crew/example-repository.js';
import { withoutGlobalGitConfig } from '../lineage/git-sandbox.js';
import { farm, farmProject, fspec, root, systemNode } from './run-fspec.js';

withoutGlobalGitConfig();

const farmSpec = path.join(farm, 'farm-ops.fspec');
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `fspec-${prefix}-`));

beforeAll(() => {
    expect(fs.existsSync(path.join(root, 'out/cli.cjs')), 'run `npm run build` first').toBe(true);
});

describe('fspec build', () => {
    test('writes the app into --out and says what it grew, step by step', async () => {
        const out = tmp('build');
        const run = await fspec(['build', farmSpec, '--out', out]);
        expect(run.code).toBe(0);
        const lines = run.stdout.trim().split('\n');
        expect(lines[0]).toBe(`Built FarmOps 0.2.0 into ${out}: 41 files, 41 written.`);
        expect(lines).toContain('  gate contract_allocation.phi_gate        gate:window: blocks rows breaking no_phi_harvest');
        expect(lines).toContain('  step contract_allocation.allocate        priority: reserves Contract in priority order from Forecast, with shortfall rows');
        expect(lines[lines.length - 1]).toBe('7 of 7 bodies grown.');
        for (const file of ['manifest.json', 'package.json', 'tsconfig.json', 'src/types.ts', 'schemas/Contract.schema.json', 'src/pipelines/contract_allocation/allocate.ts', 'src/web/server.ts']) {
            expect(fs.existsSync(path.join(out, file)), file).toBe(true);
        }
        const again = await fspec(['build', farmSpec, '--out', out]);
        expect(again.stdout.split('\n')[0]).toBe(`Built FarmOps 0.2.0 into ${out}: 41 files, 0 written, 41 unchanged.`);
    });

    test('a symbolic link in the build folder stops the build before it writes through it (it wrote and deleted elsewhere before)', async () => {
        const dir = farmProject();
        expect((await fspec(['build', 'farm-ops.fspec'], { cwd: dir })).code).toBe(0);
        const build = path.join(dir, '.factory/build/0.2.0');
        const elsewhere = tmp('elsewhere');
        fs.writeFileSync(path.join(elsewhere, 'victim.txt'), 'precious');
        // A manifest edited to list a file behind a link, and a folder of the build replaced by a link.
        const manifest = JSON.parse(fs.readFileSync(path.join(build, 'manifest.json'), 'utf8'));
        manifest.files.push({ path: 'evil/victim.txt', sha256: '0'.repeat(64) }, { path: '../../../outside.txt', sha256: '0'.repeat(64) });
        fs.writeFileSync(path.join(build, 'manifest.json'), JSON.stringify(manifest, null, 2));
        fs.symlinkSync(elsewhere, path.join(build, 'evil'));
        fs.writeFileSync(path.join(dir, 'outside.txt'), 'mine');
        const kept = await fspec(['build', 'farm-ops.fspec'], { cwd: dir });
        expect(kept.code).toBe(0);
        expect(fs.readFileSync(path.join(elsewhere, 'victim.txt'), 'utf8')).toBe('precious');
        expect(fs.readFileSync(path.join(dir, 'outside.txt'), 'utf8')).toBe('mine');

        fs.rmSync(path.join(build, 'src/web'), { recursive: true });
        fs.symlinkSync(elsewhere, path.join(build, 'src/web'));
        const refused = await fspec(['build', 'farm-ops.fspec'], { cwd: dir });
        expect(refused.code).toBe(1);
        expect(refused.stderr.trim()).toBe(`fspec: ${path.join(fs.realpathSync(dir), '.factory/build/0.2.0/src/web')} is a symbolic link in the build folder ${path.join(fs.realpathSync(dir), '.factory/build/0.2.0')}; a build does not follow links (it could write anywhere): remove it and build again`);
        expect(fs.readdirSync(elsewhere)).toEqual(['victim.txt']);
    });

    test('builds into .factory/build/<version>/ beside the spec by default; --json lists files and bodies', async () => {
        const dir = farmProject();
        const run = await fspec(['build', 'farm-ops.fspec', '--json'], { cwd: dir });
        expect(run.code).toBe(0);
        const result = JSON.parse(run.stdout);
        expect(result).toMatchObject({ spec: 'FarmOps', version: '0.2.0', out: path.join(fs.realpathSync(dir), '.factory/build/0.2.0'), kept: [], removed: [] });
        expect(result.files).toContain('src/pipelines/contract_allocation/phi_gate.ts');
        expect(result.bodies.map((b: { stage: string; grown: string }) => `${b.stage} ${b.grown}`)).toContain('contract_allocation.invoices invoice');
        expect(fs.existsSync(path.join(dir, '.factory/build/0.2.0/manifest.json'))).toBe(true);
    });

    test('keeps its builds out of git with .factory/.gitignore, adding to a user\'s own file without changing their lines', async () => {
        const { sandbox } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', '');
        expect((await fspec(['build', 'farm-ops.fspec'], { cwd: sandbox.folder })).code).toBe(0);
        expect(sandbox.status()).toEqual([]);
        const ignore = fs.readFileSync(sandbox.path('.factory/.gitignore'), 'utf8').split('\n');
        expect(ignore[0]).toMatch(/^# Written by fspec: /);
        expect(ignore.slice(1)).toEqual(['build/', 'runs/', '.gitignore', '']);

        // A project's own file: its lines stay as they are, fspec adds what it lacks (without a final newline, after one).
        const own = '# ours\nnotes.txt\n/build';
        sandbox.write('.factory/.gitignore', own);
        expect((await fspec(['build', 'farm-ops.fspec'], { cwd: sandbox.folder })).code).toBe(0);
        const kept = fs.readFileSync(sandbox.path('.factory/.gitignore'), 'utf8');
        expect(kept.startsWith(`${own}\n# Written by fspec: `)).toBe(true);
        expect(kept.split('\n').slice(4)).toEqual(['runs/', '.gitignore', '']);
        sandbox.write('.factory/runs/r1/checkpoint.json', '{}\n');
        sandbox.write('.factory/notes.txt', 'mine\n');
        expect(sandbox.status()).toEqual([]);
    });

    test('a spec with errors builds nothing and exits 1, listing the errors', async () => {
        const dir = farmProject(t => t.replace('reads Contract, Forecast output Allocation', 'reads Contrakt, Forecast output Allocation'));
        const out = path.join(dir, 'app');
        const run = await fspec(['build', 'farm-ops.fspec', '--out', out], { cwd: dir });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/farm-ops\.fspec:\d+:\d+ error linking-error Unknown entity 'Contrakt'/);
        expect(run.stderr).toContain('farm-ops.fspec has errors; fix them before building its app.');
        expect(fs.existsSync(out)).toBe(false);
    });
});

/** Starts `fspec run` (with another node binary when given) in its own process group and waits for the URL it prints. */
function startRun(args: string[], node = process.execPath): Promise<{ child: ChildProcess; url: string; output: () => string }> {
    const child = spawn(node, [path.join(root, 'bin/fspec.cjs'), 'run', ...args], { cwd: root, detached: true });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', chunk => stderr += chunk);
    return new Promise((resolve, reject) => {
        child.stdout!.on('data', chunk => {
            stdout += chunk;
            const url = /is running at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1];
            if (url) {
                resolve({ child, url, output: () => stdout + stderr });
            }
        });
        child.on('exit', code => reject(new Error(`fspec run exited (${code}) before serving:\n${stdout}${stderr}`)));
    });
}

describe('fspec run', () => {
    test('serves the panels on an ephemeral port after running the pipelines; Ctrl-C stops it', async () => {
        const out = tmp('run');
        const { child, url, output } = await startRun([farmSpec, '--port', '0', '--out', out, '--today', '2025-06-02']);
        try {
            expect(output()).toContain('FarmOps 0.2.0 is running at http://127.0.0.1:');
            const tracker = await fetch(`${url}panels/contract_tracker`);
            expect(tracker.status).toBe(200);
            expect(tracker.headers.get('content-security-policy')).toContain("default-src 'none'");
            const html = await tracker.text();
            expect(html).toContain('<h1>Contract tracker</h1>');
            expect(html).toContain('<p class="disclaimer" role="note">Forecasts are estimates</p>');
            expect(html).toContain('<table data-entity="Contract">');
            expect(html).toContain('<tr><th scope="row">Contract#1</th><td>Harbor Bistro</td><td>tomato-sungold-pint</td><td>40</td><td>4.5</td><td>tuesday</td><td>1</td></tr>');
            expect(html).toContain('<tr><th scope="row">Allocation-2</th><td>Contract#2</td><td>120</td><td>shortfall</td></tr>');
            const spray = await (await fetch(`${url}panels/spray_records`)).text();
            expect(spray).toContain('<td class="masked" title="pii (masked)">•••</td>');
            expect(spray).not.toContain('Dana Reyes');
            const runs = await (await fetch(`${url}runs/contract_allocation`)).text();
            expect(runs).toContain('<th scope="row">Forecast-2</th><td>Forecast</td><td>contract_allocation.phi_gate</td><td>no_phi_harvest</td>');
            expect((await fetch(`${url}nothing`)).status).toBe(404);
            expect(fs.existsSync(path.join(out, 'data/Allocation.json'))).toBe(true);
        } finally {
            const closed = new Promise(resolve => child.on('close', resolve));
            process.kill(-child.pid!, 'SIGINT');
            await closed;
        }
        await expect(fetch(url)).rejects.toThrow();
    });

    test('started by a node older than 22, a SIGTERM to the bin alone stops the app it handed over to', async () => {
        const node = systemNode();
        expect(node, 'a node outside the project is on PATH (npm itself needs one)').toBeDefined();
        const { child, url } = await startRun([farmSpec, '--port', '0', '--out', tmp('run-old-node'), '--today', '2025-06-02'], node);
        const exited = new Promise(resolve => child.on('exit', resolve));
        // Only the bin's own process, as an editor or service manager stops it; not the process group.
        child.kill('SIGTERM');
        await exited;
        await expect(fetch(url)).rejects.toThrow();
    });

    test('refuses a bad port or date before building anything', async () => {
        const run = await fspec(['run', farmSpec, '--port', 'eighty']);
        expect(run.code).toBe(2);
        expect(run.stderr.trim()).toBe('fspec: --port eighty: not a port number (0 picks a free one)');
        const date = await fspec(['run', farmSpec, '--today', '2 June']);
        expect(date.stderr.trim()).toBe('fspec: --today 2 June: give a date as YYYY-MM-DD');
    });
});
