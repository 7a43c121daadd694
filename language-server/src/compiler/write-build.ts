import * as fs from 'node:fs';
import * as path from 'node:path';
import { generatorVersion, manifestFor, manifestText, type CompiledApp, type GeneratedFile, type Manifest, type StageBody } from './compile.js';
import { bodiesOf, sha256, withBodies } from './regions.js';

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

/**
 * The compiled files with the bodies edited by hand in `out` since its last build carried into them
 * (their hash differs from the manifest's, or the manifest already says `edited`). Reads only.
 */
export function withKeptBodies(compiled: CompiledApp, out: string): { files: GeneratedFile[]; bodies: StageBody[]; kept: string[]; previous?: Manifest } {
    const previous = readManifest(out);
    const recorded = new Map((previous?.bodies ?? []).map(b => [b.stage, b]));
    const kept: string[] = [];
    const bodies = compiled.bodies.map(body => ({ ...body }));
    const files: GeneratedFile[] = compiled.files.map(file => {
        const onDisk = previous && readText(path.join(out, file.path));
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
    return { files, bodies, kept, previous };
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
