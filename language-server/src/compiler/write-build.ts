import * as fs from 'node:fs';
import * as path from 'node:path';
import { editedByHand, editedSummary, isAuthored, type AuthoredBody } from './authored-bodies.js';
import { generatorVersion, manifestFor, manifestText, type CompiledApp, type Manifest, type StageBody } from './compile.js';
import { bodiesOf, sha256 } from './regions.js';

/**
 * Writes a compiled app into its build folder: files the last build wrote that this one does not
 * are removed, files that did not change are not touched, and data/ and anything else the manifest
 * does not list stay as they are. What a build folder holds of the bodies someone wrote (edited by
 * hand there, or carried from before) is read here too, for the Compiler to keep (build-app.ts).
 */

export interface BuildResult {
    out: string;
    written: string[];
    unchanged: string[];
    removed: string[];
    /** Steps whose body was kept as edited by hand. */
    kept: string[];
    bodies: StageBody[];
    manifest: Manifest;
}

export const manifestFile = 'manifest.json';

export function readManifest(out: string): Manifest | undefined {
    try {
        const manifest = JSON.parse(fs.readFileSync(path.join(out, manifestFile), 'utf8')) as Manifest;
        return manifest.generator === generatorVersion && Array.isArray(manifest.files) && Array.isArray(manifest.bodies) ? manifest : undefined;
    } catch {
        return undefined;
    }
}

function readText(file: string): string | undefined {
    try {
        return fs.readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
}

/** A build folder and its manifest: where kept bodies are read from. */
interface BuildSource {
    folder: string;
    manifest: Manifest;
}

/**
 * Where a build into `out` takes the bodies it keeps from: `out` itself once it holds a build; for
 * a first build there (a new version) in a spec's `.factory/build/`, the spec's most recent build
 * beside it, so that bodies edited by hand or written by a model carry over to the next version.
 * A folder given with `--out` elsewhere starts from nothing: its neighbours are not the spec's builds.
 */
function bodySource(out: string, spec: string): BuildSource | undefined {
    const own = readManifest(out);
    if (own) {
        return { folder: out, manifest: own };
    }
    const target = path.resolve(out);
    const builds = path.dirname(target);
    if (path.basename(builds) !== 'build' || path.basename(path.dirname(builds)) !== '.factory') {
        return undefined;
    }
    let newest: (BuildSource & { modified: number }) | undefined;
    for (const entry of readFolder(builds)) {
        const folder = path.join(builds, entry);
        const modified = fs.statSync(path.join(folder, manifestFile), { throwIfNoEntry: false })?.mtimeMs;
        const manifest = modified !== undefined && folder !== target ? readManifest(folder) : undefined;
        if (manifest?.spec === spec && (!newest || modified! > newest.modified)) {
            newest = { folder, manifest, modified: modified! };
        }
    }
    return newest && { folder: newest.folder, manifest: newest.manifest };
}

function readFolder(folder: string): string[] {
    try {
        return fs.readdirSync(folder);
    } catch {
        return [];
    }
}

/** What a build folder holds of the bodies someone wrote, as the Compiler carries them into the next build. */
export interface KeptBodies {
    /** Regions edited by hand since the build wrote them (their hash differs from the manifest's). */
    edited: Map<string, AuthoredBody>;
    /**
     * Bodies the manifest says someone wrote (`edited`, or a model's, unchanged since) that are not in a
     * body file: those of a build made elsewhere (`--out`) or before bodies were kept in `.factory/bodies/`.
     */
    carried: Map<string, AuthoredBody>;
}

/** The authored bodies in the build `bodySource` names for a build into `out`. Reads only. */
export function keptBodies(out: string, spec: string): KeptBodies {
    const kept: KeptBodies = { edited: new Map(), carried: new Map() };
    const source = bodySource(out, spec);
    const texts = new Map<string, Map<string, string>>();
    for (const last of source?.manifest.bodies ?? []) {
        if (!isInside(source!.folder, last.file)) {
            continue;
        }
        if (!texts.has(last.file)) {
            texts.set(last.file, bodiesOf(readText(path.join(source!.folder, last.file)) ?? ''));
        }
        const region = texts.get(last.file)!.get(last.stage);
        if (region === undefined) {
            continue;
        }
        if (sha256(region) !== last.sha256) {
            kept.edited.set(last.stage, { grown: editedByHand, summary: editedSummary, region });
        } else if (isAuthored(last.grown) && last.bodyFile === undefined) {
            kept.carried.set(last.stage, { grown: last.grown, summary: last.summary, region });
        }
    }
    return kept;
}

/** A build folder fspec will not write into: a symbolic link inside it could lead the build anywhere. */
export class UnsafeBuildFolder extends Error {}

/**
 * The first symbolic link on the way from `out` to `relative` (the path itself included), or
 * undefined. A build never follows one: a link committed into a build folder (with a crafted
 * manifest) would otherwise have the build write or delete files elsewhere.
 */
function linkOnTheWay(out: string, relative: string): string | undefined {
    let at = path.resolve(out);
    for (const part of path.normalize(relative).split(path.sep)) {
        at = path.join(at, part);
        const stat = fs.lstatSync(at, { throwIfNoEntry: false });
        if (!stat) {
            return undefined;
        }
        if (stat.isSymbolicLink()) {
            return at;
        }
    }
    return undefined;
}

/** Where a build file goes: inside `out`, through no symbolic link; else UnsafeBuildFolder. */
function buildTarget(out: string, relative: string): string {
    const link = isInside(out, relative) ? linkOnTheWay(out, relative) : path.resolve(out, relative);
    if (link !== undefined) {
        throw new UnsafeBuildFolder(`${link} is a symbolic link in the build folder ${out}; a build does not follow links (it could write anywhere): remove it and build again`);
    }
    return path.join(out, relative);
}

/** Whether the build may delete `relative`: a regular file inside `out`, reached through no symbolic link. */
function removableBuildFile(out: string, relative: string): boolean {
    return isInside(out, relative) && linkOnTheWay(out, relative) === undefined
        && fs.lstatSync(path.join(out, relative), { throwIfNoEntry: false })?.isFile() === true;
}

export function writeBuild(compiled: CompiledApp, out: string): BuildResult {
    if (fs.lstatSync(out, { throwIfNoEntry: false })?.isSymbolicLink()) {
        throw new UnsafeBuildFolder(`the build folder ${out} is a symbolic link; a build does not follow links (it could write anywhere): remove it and build again`);
    }
    const { files, bodies } = compiled;
    const previous = readManifest(out);
    const written: string[] = [];
    const unchanged: string[] = [];
    for (const file of files) {
        const target = buildTarget(out, file.path);
        if (readText(target) === file.text) {
            unchanged.push(file.path);
            continue;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.text);
        written.push(file.path);
    }

    const current = new Set(files.map(f => f.path));
    // Only what the previous build wrote, and only regular files of the folder: a manifest edited to
    // name something else is not followed.
    const removed = (previous?.files ?? []).map(f => f.path).filter(p => !current.has(p) && removableBuildFile(out, p));
    for (const stale of removed) {
        fs.rmSync(path.join(out, stale), { force: true });
        removeEmptyParents(out, path.dirname(path.join(out, stale)));
    }

    const manifest = manifestFor(compiled, files);
    const text = manifestText(manifest);
    if (readText(path.join(out, manifestFile)) !== text) {
        fs.writeFileSync(buildTarget(out, manifestFile), text);
        written.push(manifestFile);
    } else {
        unchanged.push(manifestFile);
    }
    return { out, written, unchanged, removed, kept: editedBodies(bodies), bodies, manifest };
}

/** The steps whose body is one edited by hand. */
export function editedBodies(bodies: readonly StageBody[]): string[] {
    return bodies.filter(b => b.grown === editedByHand).map(b => b.stage);
}

/** Whether a manifest path stays inside the build folder (a manifest edited to point elsewhere is not followed). */
export function isInside(out: string, relative: string): boolean {
    const full = path.resolve(out, relative);
    return full.startsWith(path.resolve(out) + path.sep);
}

function removeEmptyParents(out: string, folder: string): void {
    const root = path.resolve(out);
    for (let dir = path.resolve(folder); dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
        if (fs.readdirSync(dir).length > 0) {
            return;
        }
        fs.rmdirSync(dir);
    }
}
