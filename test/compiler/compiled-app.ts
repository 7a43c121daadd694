import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { NodeFileSystem } from 'langium/node';
import { buildSpecs } from '../../language-server/src/cli/load.js';
import { buildApp, type BuildAppOptions } from '../../language-server/src/compiler/build-app.js';
import { bodiesOf } from '../../language-server/src/compiler/regions.js';
import type { BuildResult } from '../../language-server/src/compiler/write-build.js';
import { createFspecServices } from '../../language-server/src/fspec-module.js';
import type { SpecGraph } from '../../language-server/src/model/spec-graph.js';

export const root = path.resolve(import.meta.dirname, '../..');
export const farmSpec = path.join(root, 'examples/farmer-contract-allocation/farm-ops.fspec');
export const policySpec = path.join(root, 'examples/immigration-policy-impact/policy-impact.fspec');
/** The project's pinned Node 24: it strips the generated app's types itself. */
export const pinnedNode = path.join(root, 'node_modules/node/bin/node');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

const services = createFspecServices(NodeFileSystem).Fspec;

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `fspec-${prefix}-`));
}

export async function specGraph(file: string): Promise<SpecGraph> {
    const [document] = await buildSpecs(services, [file]);
    const errors = (document.diagnostics ?? []).filter(d => d.severity === 1);
    if (errors.length) {
        throw new Error(`${file}: ${errors.map(e => e.message).join('; ')}`);
    }
    return services.model.SpecGraphs.get(document.parseResult.value);
}

/** Builds the spec's app into a fresh folder (or the one given). */
export async function build(file: string, options: BuildAppOptions = {}): Promise<BuildResult> {
    return buildApp(await specGraph(file), file, { out: options.out ?? tempDir('app'), grow: options.grow });
}

/** A copy of an example (spec, edited, and its records) in a fresh folder, without its approved version. */
export function exampleCopy(spec: string, edit: (text: string) => string = t => t): string {
    const dir = tempDir('spec');
    fs.cpSync(path.join(path.dirname(spec), 'records'), path.join(dir, 'records'), { recursive: true });
    const file = path.join(dir, path.basename(spec));
    fs.writeFileSync(file, edit(fs.readFileSync(spec, 'utf8')));
    return file;
}

/** The farm's invoice step under a strategy the Toolsmith has no skill for: only a model can write its body. */
export const unknownInvoices = (text: string) => text.replace('step invoices "Invoices" reads Allocation', 'step invoices "Invoices" strategy monthly_billing reads Allocation');

export const invoicesFile = 'src/pipelines/contract_allocation/invoices.ts';

/** The body the deterministic Toolsmith writes for the farm's invoices, unindented: one that passes invoices_for_reserved. */
export async function workingInvoiceBody(): Promise<string> {
    const built = await build(farmSpec);
    const region = bodiesOf(fs.readFileSync(path.join(built.out, invoicesFile), 'utf8')).get('contract_allocation.invoices')!;
    return region.split('\n').map(line => line.replace(/^ {4}/, '')).join('\n').trim();
}

export interface Run { code: number; stdout: string; stderr: string }

async function exec(file: string, args: string[], cwd?: string): Promise<Run> {
    try {
        const { stdout, stderr } = await promisify(execFile)(file, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
}

/** `tsc --noEmit` with the project's TypeScript and the app's own tsconfig.json. */
export function typecheck(out: string): Promise<Run> {
    return exec(pinnedNode, [tsc, '-p', path.join(out, 'tsconfig.json')]);
}

/** The generated app's command line (`node src/main.ts …`) under Node 24. */
export function runApp(out: string, args: string[]): Promise<Run> {
    return exec(pinnedNode, [path.join(out, 'src', 'main.ts'), ...args], out);
}

/** Every file under a folder, by relative path, with its bytes. */
export function snapshot(dir: string): Map<string, string> {
    const files = new Map<string, string>();
    const walk = (at: string) => {
        for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
            const full = path.join(at, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else {
                files.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
            }
        }
    };
    walk(dir);
    return files;
}

export type Row = Record<string, unknown> & { id: string };

/** What the app wrote for an entity in its data folder. */
export function dataOf(data: string, entity: string): Row[] {
    const file = path.join(data, `${entity}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as Row[] : [];
}
