import * as path from 'node:path';
import { ensureFactoryIgnore, factoryFolder } from '../lineage/factory-ignore.js';
import type { SpecGraph } from '../model/spec-graph.js';
import { readBodyFiles, recordBodies, type AuthoredBody } from './authored-bodies.js';
import { compileApp, type CompiledApp } from './compile.js';
import { withBodies } from './regions.js';
import { toolsmith, type BodyGrower, type GrownBody } from './toolsmith/index.js';
import { keptBodies, writeBuild, type BuildResult } from './write-build.js';

/** Where a spec's app is built by default: `.factory/build/<version>/` beside the spec. */
export function defaultBuildFolder(specPath: string, version: string): string {
    return path.join(factoryFolder(specPath), 'build', version.replace(/[^\w.-]+/g, '_') || 'unversioned');
}

/** Whether `out` is one of the spec's own builds (`.factory/build/<folder>/`), not a folder named elsewhere. */
function isSpecBuild(specPath: string, out: string): boolean {
    return path.dirname(path.resolve(out)) === path.join(factoryFolder(specPath), 'build');
}

/** The spec's records folder as the app finds it from its root: relative, `/`-separated. */
export function recordsFolderFrom(out: string, specPath: string): string {
    const records = path.join(path.dirname(path.resolve(specPath)), 'records');
    return path.relative(path.resolve(out), records).split(path.sep).join('/') || '.';
}

export interface BuildAppOptions {
    out?: string;
    grow?: BodyGrower;
}

/**
 * The bodies someone wrote that a build into `out` takes, by step: a region edited by hand in the
 * build since it was built wins (it is the newest), then the body file in `.factory/bodies/` (the
 * source), then a body the build carries without a body file (made with `--out`, or before bodies
 * had files). Steps with none are grown by the build's grower.
 */
function authoredBodies(graph: SpecGraph, specPath: string, out: string): Map<string, AuthoredBody> {
    const { edited, carried } = keptBodies(out, graph.name);
    return new Map([...carried, ...readBodyFiles(specPath), ...edited]);
}

/** A region as the statements a grower answers (stage modules indent bodies one level). */
function grownFrom(body: AuthoredBody): GrownBody {
    const code = body.region.replace(/\n$/, '').split('\n').map(line => line.replace(/^ {4}/, '')).join('\n');
    return { skill: body.grown, summary: body.summary, code };
}

/**
 * The app as a build into `out` writes it: the bodies someone wrote (see authoredBodies) exactly as
 * written, the others grown by `grow`.
 */
export function compileFor(graph: SpecGraph, specPath: string, out: string, grow: BodyGrower = toolsmith): CompiledApp {
    const authored = authoredBodies(graph, specPath, out);
    const withAuthored: BodyGrower = authored.size ? shape => {
        const body = authored.get(shape.stage.qualified);
        return body ? grownFrom(body) : grow(shape);
    } : grow;
    const compiled = compileApp(graph, { grow: withAuthored, folders: { records: recordsFolderFrom(out, specPath), data: 'data' } });
    if (authored.size === 0) {
        return compiled;
    }
    // Into their regions byte for byte: indenting the statements again could change a line written by hand.
    const regions = new Map([...authored].map(([stage, body]) => [stage, body.region]));
    const inRegions = new Set(compiled.bodies.filter(b => authored.has(b.stage)).map(b => b.file));
    return {
        ...compiled,
        files: compiled.files.map(file => inRegions.has(file.path) ? { path: file.path, text: withBodies(file.text, regions) } : file),
        bodies: compiled.bodies.map(body => {
            const bodyFile = authored.get(body.stage)?.bodyFile;
            return bodyFile ? { ...body, bodyFile } : body;
        })
    };
}

/**
 * Writes a compiled app into `out`. A build of the spec's own (`.factory/build/<version>/`) also
 * records the bodies someone wrote in `.factory/bodies/`, so they are source from then on, and makes
 * sure `.factory/.gitignore` keeps the builds out of git.
 */
export function writeAppBuild(compiled: CompiledApp, specPath: string, out: string): BuildResult {
    if (!isSpecBuild(specPath, out)) {
        return writeBuild(compiled, out);
    }
    ensureFactoryIgnore(factoryFolder(specPath));
    return writeBuild(recordBodies(specPath, compiled), out);
}

/** Compiles the spec graph into its build folder. */
export function buildApp(graph: SpecGraph, specPath: string, options: BuildAppOptions = {}): BuildResult {
    const out = path.resolve(options.out ?? defaultBuildFolder(specPath, graph.version));
    return writeAppBuild(compileFor(graph, specPath, out, options.grow), specPath, out);
}
