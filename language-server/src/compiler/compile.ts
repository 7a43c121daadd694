import { serializeSpecGraph, type SpecGraph } from '../model/spec-graph.js';
import { appModel, type AppModel } from './app-model.js';
import { editedByHand } from './authored-bodies.js';
import { appModule, packageJson, readme, tsconfigJson, type AppFolders } from './emit-app.js';
import { schemaFiles } from './emit-schemas.js';
import { pipelineFile, pipelineModule, stageFile, stageModule } from './emit-steps.js';
import { entitiesModule, typesModule } from './emit-types.js';
import { bodiesOf, sha256, withoutBodies } from './regions.js';
import { acceptanceSource } from './runtime/acceptance-source.js';
import { appDefSource, mainSource, startSource } from './runtime/app-sources.js';
import { htmlSource } from './runtime/html-source.js';
import { kitSource } from './runtime/kit-source.js';
import { recordsSource } from './runtime/records-source.js';
import { runnerSource } from './runtime/runner-source.js';
import { serverSource, triggersSource } from './runtime/server-source.js';
import { shimSource } from './runtime/shim-source.js';
import { storeSource } from './runtime/store-source.js';
import { acceptanceFiles } from './tester/emit.js';
import { modelSkillPrefix, notYetGrownBody, toolsmith, type BodyGrower } from './toolsmith/index.js';

/** Bumped when the generated code changes shape: a build from another generator is rewritten whole. */
export const generatorVersion = 'fspec-compiler 1';

export interface CompileOptions {
    /** Grows step bodies; default: the deterministic Toolsmith. */
    grow?: BodyGrower;
    folders?: AppFolders;
}

export interface GeneratedFile {
    path: string;
    text: string;
}

/** Which body a step or gate got. */
export interface StageBody {
    stage: string;
    kind: 'step' | 'gate';
    file: string;
    /** The skill that grew it, or 'not-yet-grown'; `edited` for a body changed by hand, `model:<provider>/<model>` for a model's. */
    grown: string;
    summary: string;
    /** Where the body someone wrote is kept as source, relative to the spec's folder (`.factory/bodies/<pipeline>/<step>.ts`). */
    bodyFile?: string;
}

export interface CompiledApp {
    spec: string;
    version: string;
    specHash: string;
    files: GeneratedFile[];
    bodies: StageBody[];
}

/** The whole app for a spec graph: pure, and byte-identical for the same graph and options. */
export function compileApp(graph: SpecGraph, options: CompileOptions = {}): CompiledApp {
    const app = appModel(graph);
    const grow = options.grow ?? toolsmith;
    const files: GeneratedFile[] = [];
    const add = (path: string, text: string) => files.push({ path, text });
    const bodies: StageBody[] = [];

    add('package.json', packageJson(app));
    add('tsconfig.json', tsconfigJson());
    add('README.md', readme(app));
    schemaFiles(app).forEach(([path, text]) => add(path, text));
    add('src/types.ts', typesModule(app));
    add('src/entities.ts', entitiesModule(app));
    add('src/app.ts', appModule(app, options.folders ?? { records: '../../../records', data: 'data' }));
    add('src/start.ts', startSource);
    add('src/main.ts', mainSource);
    add('src/node-shim.d.ts', shimSource);
    add('src/runtime/records.ts', recordsSource);
    add('src/runtime/kit.ts', kitSource);
    add('src/runtime/store.ts', storeSource);
    add('src/runtime/runner.ts', runnerSource);
    add('src/runtime/app-def.ts', appDefSource);
    add('src/runtime/triggers.ts', triggersSource);
    add('src/runtime/acceptance.ts', acceptanceSource);
    add('src/web/html.ts', htmlSource);
    add('src/web/server.ts', serverSource);
    for (const pipeline of app.pipelines) {
        add(pipelineFile(pipeline), pipelineModule(app, pipeline));
        for (const stage of pipeline.stages) {
            const shape = { app, stage };
            const grown = grow(shape);
            const body = grown === 'unknown' ? notYetGrownBody(shape) : grown.code;
            const label = grown === 'unknown' ? 'not yet grown' : grownBy(grown.skill);
            add(stageFile(stage), stageModule(app, stage, body, label));
            bodies.push({
                stage: stage.qualified, kind: stage.kind, file: stageFile(stage),
                grown: grown === 'unknown' ? 'not-yet-grown' : grown.skill,
                summary: grown === 'unknown' ? 'throws NotYetGrown' : grown.summary
            });
        }
    }
    // The Tester: each acceptance test's checks and the edge cases, whatever grower wrote the bodies.
    acceptanceFiles(app).files.forEach(([path, text]) => add(path, text));
    files.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    return { spec: app.spec, version: app.version, specHash: sha256(serializeSpecGraph(graph)), files, bodies };
}

/** Who wrote a body, as the step's doc comment says. */
function grownBy(skill: string): string {
    if (skill === editedByHand) {
        return 'edited by hand';
    }
    return skill.startsWith(modelSkillPrefix)
        ? `written by the model ${skill.slice(modelSkillPrefix.length)}, accepted once it compiled and passed the tests covering this step; review it as code`
        : `grown by the Toolsmith (${skill})`;
}

export interface Manifest {
    generator: string;
    spec: string;
    version: string;
    specHash: string;
    /** Every generated file (but this one) with the sha256 of its text, marked regions emptied. */
    files: Array<{ path: string; sha256: string }>;
    /** Every step's body with the sha256 of its region's content and who wrote it. */
    bodies: Array<StageBody & { sha256: string }>;
}

export function manifestFor(compiled: Pick<CompiledApp, 'spec' | 'version' | 'specHash' | 'bodies'>, files: GeneratedFile[]): Manifest {
    const texts = new Map(files.map(f => [f.path, f.text]));
    return {
        generator: generatorVersion, spec: compiled.spec, version: compiled.version, specHash: compiled.specHash,
        files: files.map(f => ({ path: f.path, sha256: sha256(withoutBodies(f.text)) })),
        bodies: compiled.bodies.map(b => ({ ...b, sha256: sha256(bodiesOf(texts.get(b.file) ?? '').get(b.stage) ?? '') }))
    };
}

export function manifestText(manifest: Manifest): string {
    return `${JSON.stringify(manifest, null, 2)}\n`;
}

export type { AppModel };
