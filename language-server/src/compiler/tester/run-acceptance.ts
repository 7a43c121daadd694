import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import type { FspecServices } from '../../fspec-module.js';
import type { SpecGraph } from '../../model/spec-graph.js';
import { createSandbox, type SandboxEnv, type SandboxFile, type SandboxKind } from '../../sandbox/index.js';
import { compileFor, defaultBuildFolder, writeAppBuild } from '../build-app.js';
import type { GeneratedFile } from '../compile.js';
import type { BodyGrower } from '../toolsmith/index.js';
import { editedBodies } from '../write-build.js';
import type { AcceptanceReport } from './report.js';

/**
 * Runs a spec's acceptance tests: compiles the spec text into its app (with the bodies someone
 * wrote, from `.factory/bodies/` and its build folder), hands the app and the spec's records/ to a sandbox, runs
 * `node src/main.ts test --json` there, and answers the report. For the CLI (`fspec test`), the
 * `fspec/test` request and the crew (a proposed spec text, tested before it is approved).
 */

export interface RunAcceptanceOptions {
    /** Where the app runs; default `local`. `daytona` needs DAYTONA_API_KEY in `env`. */
    sandbox?: SandboxKind;
    /** The run date, YYYY-MM-DD; default FSPEC_TODAY in `env`, else the sandbox's system date. */
    today?: string;
    /** Only these tests (all when absent or empty). */
    tests?: string[];
    /** Write the build into its folder first, as `fspec build` does; default: compiled in memory, nothing written. */
    write?: boolean;
    /** The build folder; default `.factory/build/<version>/` beside the spec. Bodies edited by hand there are tested either way. */
    out?: string;
    /** The environment the sandbox is configured from (DAYTONA_API_KEY, …); default process.env. */
    env?: SandboxEnv;
    /** How long the app may run, in seconds; default 120. */
    timeoutSeconds?: number;
    /** Grows step bodies; default the Toolsmith. */
    grow?: BodyGrower;
}

/** An option the caller got wrong (a date that is not YYYY-MM-DD): nothing ran. */
export class AcceptanceInputError extends Error {
    override readonly name = 'AcceptanceInputError';
}

/**
 * The acceptance report for the spec text (the file's current text, or a proposed one) at
 * `specPath`, whose folder holds the records/ the tests run on. A spec with errors, or an app that
 * does not run, answers a report with `errors` and no tests. Throws a SandboxError when the sandbox
 * cannot run at all (Daytona not configured), and an AcceptanceInputError for a malformed date.
 */
export async function runAcceptance(services: FspecServices, specPath: string, text: string, options: RunAcceptanceOptions = {}): Promise<AcceptanceReport> {
    const started = performance.now();
    const env = options.env ?? process.env;
    const today = options.today ?? env.FSPEC_TODAY;
    if (today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(today)) {
        throw new AcceptanceInputError(`The run date must be YYYY-MM-DD, not ${JSON.stringify(today)}.`);
    }
    const kind = options.sandbox ?? 'local';
    // Before anything is compiled: a sandbox that cannot be made (Daytona not configured) is said at once.
    const sandbox = createSandbox(kind, env);
    const detached = services.model.DetachedSpecs;
    const spec = await detached.load(text, URI.file(path.resolve(specPath)));
    const errors = spec.problem ? [spec.problem] : (await detached.validate(spec)).filter(d => d.severity === 1).map(diagnosticText);
    const out = path.resolve(options.out ?? defaultBuildFolder(specPath, spec.graph?.version ?? ''));
    const base = {
        spec: spec.graph?.name ?? spec.document.parseResult.value?.name ?? path.basename(specPath), version: spec.graph?.version ?? '',
        today: today ?? '', ok: false, summary: { tests: 0, passed: 0, failed: 0, notGrown: 0 }, tests: [], datasets: [], noEdgeCase: [],
        sandbox: kind, build: { out, written: false, kept: [] as string[] }
    };
    if (errors.length || !spec.graph) {
        return { ...base, durationMs: elapsed(started), errors: [...errors.map(e => `${specPath}:${e}`), 'The spec has errors; fix them before testing its app.'] };
    }
    const defined = spec.graph.nodes.filter(n => n.kind === 'test').map(n => n.name);
    const unknown = (options.tests ?? []).filter(name => !defined.includes(name));
    if (unknown.length) {
        throw new AcceptanceInputError(`No acceptance test ${unknown.join(', ')} in ${spec.graph.name}; it has ${defined.join(', ') || 'none'}.`);
    }
    const app = appFiles(spec.graph, specPath, out, options);
    const response = await sandbox.run({
        language: 'typescript',
        code: "import './app/src/main.ts';\n",
        argv: ['test', '--json', '--records', 'records', '--data', 'data', ...today ? ['--today', today] : [], ...options.tests ?? []],
        files: [...app.files.map(f => ({ path: `app/${f.path}`, content: f.text })), ...recordFiles(specPath)],
        timeout: options.timeoutSeconds ?? 120
    });
    const build = { out, written: app.written, kept: app.kept };
    const parsed = (response.exitCode === 0 || response.exitCode === 1) && !response.truncated ? parseReport(response.stdout) : undefined;
    if (!parsed) {
        const why = response.timedOut ? `timed out after ${options.timeoutSeconds ?? 120} s` : response.truncated ? 'printed more than the sandbox keeps' : `exited with ${response.exitCode}`;
        const output = (response.stderr || response.stdout).trim().split('\n').slice(-12).join('\n');
        return { ...base, build, durationMs: elapsed(started), errors: [`The app's acceptance run ${why} in the ${kind} sandbox${output ? `:\n${output}` : '.'}`] };
    }
    return { ...parsed, sandbox: kind, build, durationMs: elapsed(started) };
}

function elapsed(started: number): number {
    return Math.round(performance.now() - started);
}

function diagnosticText(d: Diagnostic): string {
    return `${d.range.start.line + 1}:${d.range.start.character + 1} error ${String(d.code ?? 'error')} ${d.message}`;
}

/** The app's files as a build would write them, the bodies someone wrote kept; written into `out` when asked. */
function appFiles(graph: SpecGraph, specPath: string, out: string, options: RunAcceptanceOptions): { files: GeneratedFile[]; kept: string[]; written: boolean } {
    const compiled = compileFor(graph, specPath, out, options.grow);
    if (options.write) {
        writeAppBuild(compiled, specPath, out);
    }
    return { files: compiled.files, kept: editedBodies(compiled.bodies), written: options.write === true };
}

/** The spec's records/ (`<Entity>.json` files) as sandbox files under records/. */
function recordFiles(specPath: string): SandboxFile[] {
    const folder = path.join(path.dirname(path.resolve(specPath)), 'records');
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
        return [];
    }
    return fs.readdirSync(folder).filter(name => name.endsWith('.json')).sort()
        .map(name => ({ path: `records/${name}`, content: fs.readFileSync(path.join(folder, name), 'utf8') }));
}

type AppReport = Omit<AcceptanceReport, 'sandbox' | 'build' | 'durationMs' | 'errors'>;

function parseReport(stdout: string): AppReport | undefined {
    try {
        const report = JSON.parse(stdout) as AppReport;
        return Array.isArray(report?.tests) && typeof report.ok === 'boolean' ? report : undefined;
    } catch {
        return undefined;
    }
}
