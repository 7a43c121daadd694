import * as fs from 'node:fs';
import * as path from 'node:path';
import { generatorVersion, manifestFor, manifestText, type CompiledApp, type GeneratedFile, type Manifest, type StageBody } from './compile.js';
import { bodiesOf, sha256, withBodies } from './regions.js';
import { modelSkillPrefix, type GrownBody } from './toolsmith/index.js';

/**
 * Writes a compiled app into its build folder. A body edited by hand since the last build (its
 * hash differs from the manifest's, or the manifest already records it as edited) is kept; files
 * the last build wrote that this one does not are removed; files that did not change are not
 * touched. data/ and anything else the manifest does not list stay as they are.
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
export interface BuildSource {
    folder: string;
    manifest: Manifest;
}

/**
 * Where a build into `out` takes the bodies it keeps from: `out` itself once it holds a build; for
 * a first build there (a new version) in a spec's `.factory/build/`, the spec's most recent build
 * beside it, so that bodies edited by hand or written by a model carry over to the next version.
 * A folder given with `--out` elsewhere starts from nothing: its neighbours are not the spec's builds.
 */
export function bodySource(out: string, spec: string): BuildSource | undefined {
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

/**
 * The bodies a model wrote in the source build that nobody edited since, as the Compiler takes
 * them: a rebuild writes them again, labelled as the model's, instead of growing those steps anew.
 */
export function modelBodiesIn(source: BuildSource | undefined): Map<string, GrownBody> {
    const bodies = new Map<string, GrownBody>();
    const texts = new Map<string, Map<string, string>>();
    for (const body of source?.manifest.bodies ?? []) {
        if (!body.grown.startsWith(modelSkillPrefix) || !isInside(source!.folder, body.file)) {
            continue;
        }
        if (!texts.has(body.file)) {
            texts.set(body.file, bodiesOf(readText(path.join(source!.folder, body.file)) ?? ''));
        }
        const content = texts.get(body.file)!.get(body.stage);
        if (content !== undefined && sha256(content) === body.sha256) {
            bodies.set(body.stage, { skill: body.grown, summary: body.summary, code: dedent(content) });
        }
    }
    return bodies;
}

/** A region's content as the body it was written from (stage modules indent bodies one level). */
function dedent(content: string): string {
    return content.replace(/\n$/, '').split('\n').map(line => line.replace(/^ {4}/, '')).join('\n');
}

/**
 * The compiled files with the bodies edited by hand since the last build carried into them (their
 * hash differs from the manifest's, or the manifest already says `edited`), read from the build
 * `bodySource` names. Reads only; `previous` is `out`'s own manifest.
 */
export function withKeptBodies(compiled: CompiledApp, out: string): { files: GeneratedFile[]; bodies: StageBody[]; kept: string[]; previous?: Manifest } {
    const source = bodySource(out, compiled.spec);
    const recorded = new Map((source?.manifest.bodies ?? []).map(b => [b.stage, b]));
    const kept: string[] = [];
    const bodies = compiled.bodies.map(body => ({ ...body }));
    const files: GeneratedFile[] = compiled.files.map(file => {
        const onDisk = source && readText(path.join(source.folder, file.path));
        const stages = bodies.filter(b => b.file === file.path);
        if (!onDisk || stages.length === 0) {
            return file;
        }
        const existing = bodiesOf(onDisk);
        const keep = new Map<string, string>();
        for (const body of stages) {
            const content = existing.get(body.stage);
            const last = recorded.get(body.stage);
            if (content !== undefined && last && (last.grown === 'edited' || sha256(content) !== last.sha256)) {
                keep.set(body.stage, content);
                kept.push(body.stage);
                body.grown = 'edited';
                body.summary = 'kept as edited by hand';
            }
        }
        return keep.size ? { path: file.path, text: withBodies(file.text, keep) } : file;
    });
    return { files, bodies, kept, previous: source?.folder === out ? source.manifest : undefined };
}

export function writeBuild(compiled: CompiledApp, out: string): BuildResult {
    const { files, bodies, kept, previous } = withKeptBodies(compiled, out);
    const written: string[] = [];
    const unchanged: string[] = [];
    for (const file of files) {
        const target = path.join(out, file.path);
        if (readText(target) === file.text) {
            unchanged.push(file.path);
            continue;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.text);
        written.push(file.path);
    }

    const current = new Set(files.map(f => f.path));
    const removed = (previous?.files ?? []).map(f => f.path).filter(p => !current.has(p) && isInside(out, p));
    for (const stale of removed) {
        fs.rmSync(path.join(out, stale), { force: true });
        removeEmptyParents(out, path.dirname(path.join(out, stale)));
    }

    const manifest = manifestFor({ ...compiled, bodies }, files);
    const text = manifestText(manifest);
    if (readText(path.join(out, manifestFile)) !== text) {
        fs.writeFileSync(path.join(out, manifestFile), text);
        written.push(manifestFile);
    } else {
        unchanged.push(manifestFile);
    }
    return { out, written, unchanged, removed, kept, bodies, manifest };
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
