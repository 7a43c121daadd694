import * as fs from 'node:fs';
import * as path from 'node:path';
import { factoryFolder } from '../lineage/factory-ignore.js';
import type { CompiledApp, StageBody } from './compile.js';
import { bodiesOf } from './regions.js';
import { modelSkillPrefix } from './toolsmith/index.js';

/**
 * Step bodies someone wrote — by hand, or the crew's model — are source: they live beside the spec
 * in `.factory/bodies/<pipeline>/<step>.ts`, are committed with it, and every build of the spec takes
 * them from there. A body file is one header line saying which step it is and who wrote it, then the
 * body's marked region exactly as it sits between the markers of the step's module.
 */

/** The label of a body edited by hand, in the manifest and the build report. */
export const editedByHand = 'edited';

/** A body someone wrote, as a build writes it into the step's module. */
export interface AuthoredBody {
    /** `edited`, or `model:<provider>/<model>`. */
    grown: string;
    summary: string;
    /** The marked region's content: the lines between the markers, each ending in a newline. */
    region: string;
    /** The body file it was read from, relative to the spec's folder; absent when it is not in one. */
    bodyFile?: string;
}

export const editedSummary = 'kept as edited by hand';

/** Whether a body's label says someone wrote it (by hand, or a model), rather than a Toolsmith skill. */
export function isAuthored(grown: string): boolean {
    return grown === editedByHand || grown.startsWith(modelSkillPrefix);
}

export function bodiesFolder(specPath: string): string {
    return path.join(factoryFolder(specPath), 'bodies');
}

/** A stage's body file relative to the spec's folder, `/`-separated: `.factory/bodies/<pipeline>/<step>.ts`. */
function bodyFileOf(stage: string): string {
    const dot = stage.indexOf('.');
    return `.factory/bodies/${stage.slice(0, dot)}/${stage.slice(dot + 1)}.ts`;
}

const header = /^\/\/ fspec body of (?:step|gate) \S+, (?:edited by hand|written by the model (\S+?)(?:: (.*))?)$/;

function headerLine(body: StageBody): string {
    const who = body.grown === editedByHand
        ? 'edited by hand'
        : `written by the model ${body.grown.slice(modelSkillPrefix.length)}${body.summary ? `: ${body.summary}` : ''}`;
    return `// fspec body of ${body.kind} ${body.stage}, ${who}`;
}

/**
 * The body files in the spec's `.factory/bodies/`, by stage (`<pipeline>.<step>`). A file without
 * the header line is a body written there by hand, all of it.
 */
export function readBodyFiles(specPath: string): Map<string, AuthoredBody> {
    const folder = bodiesFolder(specPath);
    const bodies = new Map<string, AuthoredBody>();
    for (const pipeline of entries(folder).filter(entry => entry.isDirectory()).map(entry => entry.name)) {
        for (const name of entries(path.join(folder, pipeline)).filter(entry => entry.isFile() && entry.name.endsWith('.ts')).map(entry => entry.name)) {
            const stage = `${pipeline}.${name.slice(0, -'.ts'.length)}`;
            const text = fs.readFileSync(path.join(folder, pipeline, name), 'utf8');
            const newline = text.indexOf('\n');
            const first = header.exec(newline < 0 ? text : text.slice(0, newline));
            const content = first ? text.slice(newline < 0 ? text.length : newline + 1) : text;
            bodies.set(stage, {
                grown: first?.[1] ? `${modelSkillPrefix}${first[1]}` : editedByHand,
                summary: first?.[1] ? first[2] ?? '' : editedSummary,
                // The end marker must stay on a line of its own.
                region: content === '' || content.endsWith('\n') ? content : `${content}\n`,
                bodyFile: bodyFileOf(stage)
            });
        }
    }
    return bodies;
}

/** What a folder holds, sorted by name; nothing when it is missing. Links are neither files nor folders here, so none is followed. */
function entries(folder: string): fs.Dirent[] {
    try {
        return fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    } catch {
        return [];
    }
}

/** The body files a build of `compiled` adds or changes: every authored body not read from one, with its text. */
export function bodyFilesToRecord(specPath: string, compiled: CompiledApp): Array<{ file: string; text: string }> {
    const texts = new Map(compiled.files.map(f => [f.path, f.text]));
    const root = path.dirname(path.resolve(specPath));
    return compiled.bodies.filter(body => isAuthored(body.grown) && body.bodyFile === undefined).flatMap(body => {
        const region = bodiesOf(texts.get(body.file) ?? '').get(body.stage);
        const file = path.resolve(root, bodyFileOf(body.stage));
        if (region === undefined || !file.startsWith(bodiesFolder(specPath) + path.sep)) {
            return [];
        }
        const text = `${headerLine(body)}\n${region}`;
        return fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text ? [] : [{ file, text }];
    });
}

/**
 * Writes the authored bodies of a build into `.factory/bodies/`, so they are source from then on;
 * answers the app with every authored body saying its body file.
 */
export function recordBodies(specPath: string, compiled: CompiledApp): CompiledApp {
    for (const { file, text } of bodyFilesToRecord(specPath, compiled)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
    }
    return { ...compiled, bodies: compiled.bodies.map(body => isAuthored(body.grown) ? { ...body, bodyFile: bodyFileOf(body.stage) } : body) };
}
