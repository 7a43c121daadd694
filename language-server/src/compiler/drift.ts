import * as fs from 'node:fs';
import * as path from 'node:path';
import { unifiedDiff } from '../model/line-diff.js';
import type { SpecGraph } from '../model/spec-graph.js';
import { appModel, type AppEntity } from './app-model.js';
import { compileFor, defaultBuildFolder } from './build-app.js';
import type { Manifest } from './compile.js';
import { schemaFile } from './emit-schemas.js';
import { pipelineFile, stageFile } from './emit-steps.js';
import { entityEntry, entityInterface } from './emit-types.js';
import { sha256, withoutBodies } from './regions.js';
import { isInside, manifestFile, readManifest } from './write-build.js';

/**
 * Drift: generated code changed by hand since the build wrote it. The build's manifest holds the
 * sha256 of every generated file with its marked regions emptied (regions.ts); a file whose text,
 * emptied the same way, hashes otherwise was edited outside its bodies, and a listed file that is
 * gone was deleted. Bodies are not drift: a rebuild keeps them. Files the manifest does not list
 * (data/, a helper module a body imports) are not the build's, so they are not drift either.
 *
 * Only the build of the spec's current version is checked (`.factory/build/<version>/`): it is
 * the one `fspec build` and re-converging rewrite; builds of other versions are history.
 */

export type DriftChange = 'edited' | 'deleted';

export interface DriftedFile {
    /** The file as the manifest lists it: relative to the build folder, `/`-separated. */
    path: string;
    change: DriftChange;
    /** Whether the manifest records a marked body in it (a step or gate module). */
    hasBodies: boolean;
    /** The spec element owning the file, as a graph node id (`step:contract_allocation.allocate`); absent: the spec itself. */
    owner?: string;
}

export interface DriftReport {
    /** The build folder checked. */
    out: string;
    manifest: Manifest;
    /** Drifted files in the manifest's order (sorted by path). */
    files: DriftedFile[];
}

/** A file's identity and content as `stat` sees them: any write changes it (a rename over it changes the inode). */
function stampOf(file: string): string | undefined {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat?.isFile() ? `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}` : undefined;
}

function readText(file: string): string | undefined {
    try {
        return fs.readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
}

interface FileVerdict {
    stamp: string;
    /** The hash the manifest expected when the verdict was made. */
    expected: string;
    edited: boolean;
    /** The text of an edited file, for finding its owner (types.ts and entities.ts hold every entity). */
    text?: string;
}

interface BuildState {
    manifestStamp: string;
    manifest?: Manifest;
    files: Map<string, FileVerdict>;
}

/**
 * Finds drift in a spec's build, cheaply enough for every validation: without a build folder it
 * costs one `stat`; otherwise a `stat` per listed file, and a file is read (and hashed) only when its
 * stat changed since it was last read. `reads` counts the files read, so tests can hold it to that.
 */
export class DriftDetector {
    /** Files read (manifests included) since the detector was made. */
    reads = 0;
    private readonly builds = new Map<string, BuildState>();

    /** The drift of the spec's current-version build; undefined when there is no build (or one from another generator). */
    check(specPath: string, graph: SpecGraph): DriftReport | undefined {
        const out = defaultBuildFolder(specPath, graph.version);
        const manifestStamp = stampOf(path.join(out, manifestFile));
        if (!manifestStamp) {
            this.builds.delete(out);
            return undefined;
        }
        let state = this.builds.get(out);
        if (state?.manifestStamp !== manifestStamp) {
            this.reads++;
            const manifest = readManifest(out);
            // Verdicts stay valid for files the new manifest lists with the same hash (checked per file below).
            const listed = new Set(manifest?.files.map(f => f.path));
            const files = new Map([...state?.files ?? []].filter(([file]) => listed.has(file)));
            state = { manifestStamp, manifest, files };
            this.builds.set(out, state);
        }
        const { manifest } = state;
        if (!manifest) {
            return undefined;
        }
        const drifted: Array<{ path: string, change: DriftChange, text?: string }> = [];
        for (const listed of manifest.files) {
            if (!isInside(out, listed.path)) {
                continue;
            }
            const file = path.join(out, listed.path);
            const stamp = stampOf(file);
            if (!stamp) {
                state.files.delete(listed.path);
                drifted.push({ path: listed.path, change: 'deleted' });
                continue;
            }
            let verdict = state.files.get(listed.path);
            if (verdict?.stamp !== stamp || verdict.expected !== listed.sha256) {
                this.reads++;
                const text = readText(file);
                const edited = text === undefined || sha256(withoutBodies(text)) !== listed.sha256;
                verdict = { stamp, expected: listed.sha256, edited, text: edited ? text : undefined };
                state.files.set(listed.path, verdict);
            }
            if (verdict.edited) {
                drifted.push({ path: listed.path, change: 'edited', text: verdict.text });
            }
        }
        const owners = drifted.length ? fileOwners(graph, manifest) : new Map<string, string>();
        return {
            out, manifest,
            files: drifted.map(d => {
                const owner = ownerOf(graph, owners, d);
                return { path: d.path, change: d.change, hasBodies: manifest.bodies.some(b => b.file === d.path), ...owner ? { owner } : {} };
            })
        };
    }
}

/** The element each generated file belongs to, by the Compiler's own file names: stage modules, pipelines, schemas. */
function fileOwners(graph: SpecGraph, manifest: Manifest): Map<string, string> {
    const owners = new Map<string, string>();
    // A stage the spec no longer has still names its module in the manifest.
    for (const body of manifest.bodies) {
        owners.set(body.file, `${body.kind}:${body.stage}`);
    }
    const app = appModel(graph);
    for (const entity of app.entities) {
        owners.set(schemaFile(entity), `entity:${entity.name}`);
    }
    for (const pipeline of app.pipelines) {
        owners.set(pipelineFile(pipeline), `pipeline:${pipeline.name}`);
        for (const stage of pipeline.stages) {
            owners.set(stageFile(stage), `${stage.kind}:${stage.qualified}`);
        }
    }
    return owners;
}

/** The files holding a declaration per entity, and the Compiler's function that writes one. */
const perEntityFiles: Partial<Record<string, (entity: AppEntity) => string>> = {
    'src/types.ts': entityInterface,
    'src/entities.ts': entityEntry
};

function ownerOf(graph: SpecGraph, owners: ReadonlyMap<string, string>, file: { path: string, text?: string }): string | undefined {
    const declares = perEntityFiles[file.path];
    if (declares && file.text !== undefined) {
        // The edited entity is the one whose declaration is no longer there as generated; more than one (or none): the spec's.
        const changed = appModel(graph).entities.filter(entity => !file.text!.includes(declares(entity)));
        return changed.length === 1 ? `entity:${changed[0].name}` : undefined;
    }
    return owners.get(file.path);
}

/** What a hand edit changed, outside the marked bodies. */
export interface DriftEdit {
    path: string;
    change: DriftChange;
    /**
     * Whether the generated text could be made again to compare with: the spec still compiles to
     * exactly what the build wrote (the manifest's hash). Otherwise the spec changed since the build,
     * and the edit cannot be told apart from those changes.
     */
    isolated: boolean;
    /** Lines the edit removed and added (trimmed, blank lines left out), in file order. */
    removed: string[];
    added: string[];
}

/** The hand edit of a drifted file, as lines removed and added against what the Compiler generates for the spec now. */
export function describeDrift(specPath: string, graph: SpecGraph, report: DriftReport, file: DriftedFile): DriftEdit {
    const nothing = { path: file.path, change: file.change, removed: [], added: [] };
    const generated = compileFor(graph, specPath, report.out).files.find(f => f.path === file.path);
    const expected = report.manifest.files.find(f => f.path === file.path)?.sha256;
    if (!generated || sha256(withoutBodies(generated.text)) !== expected) {
        return { ...nothing, isolated: false };
    }
    if (file.change === 'deleted') {
        return { ...nothing, isolated: true };
    }
    const onDisk = readText(path.join(report.out, file.path));
    if (onDisk === undefined) {
        return { ...nothing, isolated: false };
    }
    const lines = unifiedDiff(withoutBodies(generated.text), withoutBodies(onDisk), ['generated', 'edited'], 0).split('\n').slice(2);
    const changed = (mark: string) => lines.filter(l => l.startsWith(mark)).map(l => l.slice(1).trim()).filter(l => l !== '');
    return { ...nothing, isolated: true, removed: changed('-'), added: changed('+') };
}
