import * as path from 'node:path';
import { bodiesFolder, bodyFilesToRecord } from '../../compiler/authored-bodies.js';
import { buildApp, compileFor, defaultBuildFolder } from '../../compiler/build-app.js';
import { toolsmith } from '../../compiler/toolsmith/index.js';
import { withAcceptedBodies, type ModelBodyOutcome } from '../../compiler/toolsmith/model-toolsmith.js';
import { readManifest } from '../../compiler/write-build.js';
import type { FileChange } from '../../lineage/atomic-write.js';
import type { SpecGraph } from '../../model/spec-graph.js';
import { currentTexts } from './migrator.js';

/**
 * The Historian records an approved growth as one commit of the spec and what its app is made of
 * besides the spec's text: the approved copy and migration record (crew.record), the stored records,
 * and the step bodies people and the model wrote (`.factory/bodies/`); what fspec derives (builds,
 * runs) stays out of it (`.factory/.gitignore`). A rollback restores the same.
 */

/** The folders and files committed with every growth, wherever they changed (the commit leaves out those with nothing in them). */
export function committedWithSpec(specPath: string): string[] {
    return [path.join(path.dirname(path.resolve(specPath)), 'records'), bodiesFolder(specPath)];
}

/**
 * The body files the growth writes before its commit, and their texts before (to put back when the
 * commit fails): bodies edited by hand in the current version's build and not recorded yet, and
 * the bodies the model wrote for the approved version.
 */
export function growthBodies(specPath: string, before: SpecGraph, after: SpecGraph, accepted: readonly ModelBodyOutcome[]): { write: FileChange[], restore: FileChange[] } {
    const current = compileFor(before, specPath, defaultBuildFolder(specPath, before.version));
    const approved = compileFor(after, specPath, defaultBuildFolder(specPath, after.version), withAcceptedBodies(accepted, toolsmith));
    const files = new Map([...bodyFilesToRecord(specPath, current), ...bodyFilesToRecord(specPath, approved)].map(f => [f.file, f.text]));
    const write = [...files].map(([file, text]) => ({ file, text }));
    return { write, restore: currentTexts(write) };
}

/**
 * Once the growth is committed, the current version's build is made again, so its manifest knows
 * its hand edits are recorded: a rollback that removes their body files then really drops them,
 * instead of the next build of that version finding them again as new edits.
 */
export function settleCurrentBuild(specPath: string, before: SpecGraph): void {
    if (readManifest(defaultBuildFolder(specPath, before.version))) {
        buildApp(before, specPath);
    }
}
