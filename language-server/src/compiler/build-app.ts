import * as path from 'node:path';
import type { SpecGraph } from '../model/spec-graph.js';
import { compileApp, type CompiledApp } from './compile.js';
import { toolsmith, type BodyGrower } from './toolsmith/index.js';
import { bodySource, modelBodiesIn, writeBuild, type BuildResult } from './write-build.js';

/** Where a spec's app is built by default: `.factory/build/<version>/` beside the spec. */
export function defaultBuildFolder(specPath: string, version: string): string {
    return path.join(path.dirname(path.resolve(specPath)), '.factory', 'build', version.replace(/[^\w.-]+/g, '_') || 'unversioned');
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
 * The app as a build into `out` would write it, before bodies edited by hand are kept: the bodies a
 * model wrote in the build it keeps bodies from stay (see bodySource), the others are grown by `grow`.
 */
export function compileFor(graph: SpecGraph, specPath: string, out: string, grow: BodyGrower = toolsmith): CompiledApp {
    const written = modelBodiesIn(bodySource(out, graph.name));
    const withWritten: BodyGrower = written.size ? shape => written.get(shape.stage.qualified) ?? grow(shape) : grow;
    return compileApp(graph, { grow: withWritten, folders: { records: recordsFolderFrom(out, specPath), data: 'data' } });
}

/** Compiles the spec graph into its build folder. */
export function buildApp(graph: SpecGraph, specPath: string, options: BuildAppOptions = {}): BuildResult {
    const out = path.resolve(options.out ?? defaultBuildFolder(specPath, graph.version));
    return writeBuild(compileFor(graph, specPath, out, options.grow), out);
}
