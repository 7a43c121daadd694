import type { AppModel, AppPipeline, AppStage } from './app-model.js';
import { header } from './emit-types.js';
import { beginMarker, endMarker } from './regions.js';
import { stageTypeNames } from './toolsmith/shape.js';
import { commentText, indent, listText, str } from './ts-names.js';

/** A module per step and gate (`src/pipelines/<pipeline>/<stage>.ts`) and one per pipeline (`src/pipelines/<pipeline>.ts`). */

export function stageFile(stage: AppStage): string {
    return `src/pipelines/${stage.pipeline}/${stage.name}.ts`;
}

export function pipelineFile(pipeline: AppPipeline): string {
    return `src/pipelines/${pipeline.name}.ts`;
}

function recordsOf(entities: string[], stored: boolean): string[] {
    return entities.map(e => `        ${e}: ${stored ? `rt.Stored<T.${e}>` : `T.${e}`}[];`);
}

function group(name: string, lines: string[]): string[] {
    return lines.length ? [`    ${name}: {`, ...lines, '    };'] : [`    ${name}: Record<string, never>;`];
}

/** The stage's module: its typed signature, and the body between the markers. */
export function stageModule(app: AppModel, stage: AppStage, body: string, grownBy: string): string {
    const names = stageTypeNames(stage);
    const what = `${stage.kind} ${stage.qualified}${stage.title ? ` ("${commentText(stage.title)}")` : ''}.`;
    const doc = [
        `/**`,
        ` * ${commentText(stage.title ?? stage.name)} (${stage.qualified})${stage.strategy ? `, strategy ${commentText(stage.strategy)}` : ''}.`,
        ` * Reads ${stage.reads.join(', ') || 'nothing'}${stage.kind === 'step' ? `; outputs ${stage.outputs.join(', ') || 'nothing'}` : ''}.`,
        ...stage.enforces.map(g => ` * Enforces ${g.name}: ${commentText(g.text)}`),
        ...stage.heuristics.map(h => ` * Heuristic ${h.name}: ${commentText(h.text)}`),
        ` * Body: ${commentText(grownBy)}.`,
        ' */'
    ];
    const input = [
        `/** What ${stage.name} reads: the current records of ${listText(stage.reads) || 'no entity'}. */`,
        `export interface ${names.input} {`,
        ...group('reads', recordsOf(stage.reads, true)),
        ...stage.kind === 'step' ? [
            `    /** Records earlier steps of this run wrote to the entities ${stage.name} adds to. */`,
            ...group('earlier', recordsOf(stage.earlier, true))
        ] : [],
        '}'
    ];
    const signature = stage.kind === 'gate'
        ? [
            `/** A row ${stage.name} blocks: its entity and key, the guardrail it breaks, and why. */`,
            `export type ${names.blocked} = rt.Blocked<${stage.reads.map(str).join(' | ') || 'never'}, ${stage.enforces.map(g => str(g.name)).join(' | ') || 'never'}>;`,
            '',
            ...doc,
            `export function ${names.fn}(input: ${names.input}, ctx: rt.StepContext): ${names.blocked}[] {`
        ]
        : [
            `/** What ${stage.name} outputs: new records (the runner keys those without an id). */`,
            `export interface ${names.output} {`,
            ...stage.outputs.map(e => `    ${e}: T.${e}[];`),
            '}',
            '',
            ...doc,
            `export function ${names.fn}(input: ${names.input}, ctx: rt.StepContext): ${names.output} {`
        ];
    return [
        header(app, what),
        "import type * as T from '../../types.ts';",
        "import type * as rt from '../../runtime/records.ts';",
        "import { NotYetGrown } from '../../runtime/records.ts';",
        "import * as kit from '../../runtime/kit.ts';",
        '',
        ...input,
        '',
        ...signature,
        `    ${beginMarker(stage.qualified)}`,
        indent(body, 1),
        `    ${endMarker}`,
        '}',
        ''
    ].join('\n');
}

/** The pipeline's definition: its triggers and its stages in order, for the runner. */
export function pipelineModule(app: AppModel, pipeline: AppPipeline): string {
    const imports = pipeline.stages.map(s => `import { ${stageTypeNames(s).fn} as ${stageAlias(s)} } from './${pipeline.name}/${s.name}.ts';`);
    const stages = pipeline.stages.map(s => {
        const fields = [
            `kind: ${str(s.kind)}`, `name: ${str(s.name)}`, ...s.title ? [`title: ${str(s.title)}`] : [], ...s.strategy ? [`strategy: ${str(s.strategy)}`] : [],
            `reads: ${JSON.stringify(s.reads)}`, `outputs: ${JSON.stringify(s.outputs)}`, `earlier: ${JSON.stringify(s.earlier)}`,
            `enforces: ${JSON.stringify(s.enforces.map(g => g.name))}`, `run: ${stageAlias(s)}`
        ];
        return `        { ${fields.join(', ')} }`;
    });
    return [
        header(app, `pipeline ${pipeline.name}${pipeline.title ? ` ("${commentText(pipeline.title)}")` : ''}, its stages in order.`),
        "import type { PipelineDef } from '../runtime/runner.ts';",
        ...imports,
        '',
        'export const pipeline: PipelineDef = {',
        `    name: ${str(pipeline.name)},`,
        ...pipeline.title ? [`    title: ${str(pipeline.title)},`] : [],
        `    triggers: { schedules: ${JSON.stringify(pipeline.schedules)}, on: ${JSON.stringify(pipeline.on)} },`,
        ...pipeline.schedule ? [`    schedule: ${JSON.stringify(pipeline.schedule)},`] : [],
        '    stages: [',
        stages.join(',\n'),
        '    ]',
        '};',
        ''
    ].join('\n');
}

function stageAlias(stage: AppStage): string {
    return `stage_${stage.name}`;
}
