import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Writable } from 'node:stream';
import type { FspecServices } from '../fspec-module.js';
import { buildApp, defaultBuildFolder } from '../compiler/build-app.js';
import { toolsmith } from '../compiler/toolsmith/index.js';
import { withAcceptedBodies, type ModelBodyOutcome } from '../compiler/toolsmith/model-toolsmith.js';
import { crewModel } from '../crew/crew-model.js';
import { growStepBodies } from '../crew/roles/toolsmith.js';
import type { DriftedFile } from '../compiler/drift.js';
import type { BuildResult } from '../compiler/write-build.js';
import type { CommandResult } from './commands.js';
import { diagnosticRecord, displayPath, formatRecord } from './format.js';
import { buildSpecs, InputError } from './load.js';

export interface BuildOptions {
    /** The build folder (default: .factory/build/<version>/ beside the spec). */
    out?: string;
    json?: boolean;
}

export interface RunOptions {
    out?: string;
    port?: string;
    /** A folder of records to read instead of the spec's records/. */
    data?: string;
    /** The run date, YYYY-MM-DD. */
    today?: string;
}

interface CompiledSpec {
    build: BuildResult;
    reconverged: DriftedFile[];
    /** The steps the crew's model was asked to write bodies for, when one is configured. */
    written: ModelBodyOutcome[];
}

/**
 * Builds the app of a spec that has no errors; otherwise the errors, as `validate` prints them.
 * With the crew's model configured, it writes the bodies the Toolsmith has no skill for first.
 */
async function compileSpec(services: FspecServices, file: string, out: string | undefined): Promise<CompiledSpec | { failed: CommandResult }> {
    const [document] = await buildSpecs(services, [file]);
    const errors = (document.diagnostics ?? []).filter(d => d.severity === 1);
    if (errors.length) {
        const lines = errors.map(d => formatRecord(diagnosticRecord(document, d)));
        return { failed: { stdout: '', stderr: [...lines, `${displayPath(document.uri.fsPath)} has errors; fix them before building its app.`].join('\n'), exitCode: 1 } };
    }
    const graph = services.model.SpecGraphs.get(document.parseResult.value);
    // Building over a drifted build re-converges it: its hand-edited files are generated again.
    const reconverged = out === undefined ? services.model.BuildDrift.check(path.resolve(file), graph)?.files ?? [] : [];
    const { llm, timeoutMs } = await crewModel({}, process.env);
    const written = llm ? await growStepBodies({
        services, specPath: file, text: document.textDocument.getText(), graph, llm, timeoutMs, out: out ?? defaultBuildFolder(file, graph.version)
    }) : [];
    return { build: buildApp(graph, file, { out, grow: withAcceptedBodies(written, toolsmith) }), reconverged, written };
}

function summary({ build, reconverged, written }: CompiledSpec): string {
    const { manifest, bodies } = build;
    const waiting = bodies.filter(b => b.grown === 'not-yet-grown');
    const width = Math.max(...bodies.map(b => b.stage.length), 0);
    return [
        `Built ${manifest.spec} ${manifest.version} into ${displayPath(build.out)}: ${manifest.files.length + 1} files, ${build.written.length} written`
        + `${build.removed.length ? `, ${build.removed.length} removed` : ''}${build.unchanged.length ? `, ${build.unchanged.length} unchanged` : ''}.`,
        ...reconverged.length ? [`Re-converged ${reconverged.length} drifted file${reconverged.length === 1 ? '' : 's'}: ${reconverged.map(f => `${f.path} (${f.change === 'deleted' ? 'deleted' : 'edited by hand'})`).join(', ')}.`] : [],
        ...bodies.map(b => `  ${b.kind} ${b.stage.padEnd(width)}  ${b.grown === 'not-yet-grown' ? 'NOT YET GROWN (throws NotYetGrown when run)' : `${b.grown}: ${b.summary}`}`),
        ...written.filter(w => w.status === 'not-grown').map(w =>
            `The model's ${w.attempts} answer${w.attempts === 1 ? '' : 's'} for ${w.stage} ${w.attempts === 1 ? 'was' : 'were'} refused; the last because: ${w.problems?.[0] ?? 'no reason recorded'}`),
        `${bodies.length - waiting.length} of ${bodies.length} bodies grown${waiting.length ? `; not yet grown: ${waiting.map(b => b.stage).join(', ')}` : ''}.`
    ].join('\n');
}

/** `fspec build`: the spec's app, generated into its build folder; exit 1 when the spec has errors. */
export async function buildCommand(services: FspecServices, file: string, options: BuildOptions): Promise<CommandResult> {
    const compiled = await compileSpec(services, file, options.out);
    if ('failed' in compiled) {
        return compiled.failed;
    }
    const { build, reconverged, written } = compiled;
    if (options.json) {
        const { manifest, ...rest } = build;
        return {
            stdout: JSON.stringify({
                spec: manifest.spec, version: manifest.version, specHash: manifest.specHash, ...rest, files: manifest.files.map(f => f.path),
                reconverged: reconverged.map(f => ({ path: f.path, change: f.change })), written
            }, null, 2),
            exitCode: 0
        };
    }
    return { stdout: summary(compiled), exitCode: 0 };
}

/** What `fspec run` loads from the generated app: src/start.ts. */
interface GeneratedStart {
    serve(options: { port?: number; records?: string; today?: string; runAtStart?: boolean; triggers?: boolean }): Promise<{ url: string; close(): Promise<void> }>;
}

/** `fspec run`: builds the app (rewriting only what changed), serves it on 127.0.0.1 and prints its URL; Ctrl-C stops it. */
export async function runCommand(services: FspecServices, file: string, options: RunOptions, messages: Writable): Promise<CommandResult> {
    const port = options.port === undefined ? Number(process.env.FSPEC_APP_PORT ?? 0) : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new InputError(`--port ${options.port ?? process.env.FSPEC_APP_PORT}: not a port number (0 picks a free one)`);
    }
    if (options.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.today)) {
        throw new InputError(`--today ${options.today}: give a date as YYYY-MM-DD`);
    }
    if (options.data !== undefined && !fs.statSync(options.data, { throwIfNoEntry: false })?.isDirectory()) {
        throw new InputError(`--data ${options.data}: no such folder`);
    }
    if (!(process.features as { typescript?: unknown }).typescript) {
        throw new InputError(`fspec run needs a Node that strips TypeScript types (22.18 or newer; this is ${process.version}); set NODE_OPTIONS=--experimental-strip-types on 22.6 to 22.17`);
    }
    const compiled = await compileSpec(services, file, options.out);
    if ('failed' in compiled) {
        return compiled.failed;
    }
    const { build } = compiled;
    messages.write(`${summary(compiled)}\n`);
    const start = await import(pathToFileURL(path.join(build.out, 'src', 'start.ts')).href) as GeneratedStart;
    const server = await start.serve({ port, records: options.data && path.resolve(options.data), today: options.today, runAtStart: true, triggers: true });
    process.stdout.write(`${build.manifest.spec} ${build.manifest.version} is running at ${server.url} (Ctrl-C stops it)\n`);
    messages.write(`Records from ${displayPath(options.data ? path.resolve(options.data) : path.join(path.dirname(path.resolve(file)), 'records'))}; what the app makes goes to ${displayPath(path.join(build.out, 'data'))}.\n`);
    const signal = await new Promise<NodeJS.Signals>(resolve => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    await server.close();
    return { stdout: 'Stopped.', exitCode: signal === 'SIGINT' ? 130 : 0 };
}
