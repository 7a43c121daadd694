import { entityOf, type AppEntity, type AppField, type AppModel, type AppStage } from '../app-model.js';
import { camelName, pascalName, str } from '../ts-names.js';

/** What the Toolsmith sees of a step: the step itself, and the app it belongs to (its entities and fields). */
export interface StepShape {
    app: AppModel;
    stage: AppStage;
}

/** The start of a body's skill when a model wrote it: `model:<provider>/<model>`. */
export const modelSkillPrefix = 'model:';

/** A body for a step: TypeScript statements for the inside of its function, and which skill wrote them. */
export interface GrownBody {
    /** The skill (`priority`, `forecast`, `gate:window`, …), recorded in the manifest. */
    skill: string;
    /** One sentence: what the body does, for the build report. */
    summary: string;
    /** The statements, unindented; they end in a `return`. */
    code: string;
}

/**
 * The seam for body growers: the deterministic Toolsmith is one; a model-backed one can come later.
 * 'unknown' means this grower has no body for the step (the compiler then writes a NotYetGrown body).
 */
export type BodyGrower = (shape: StepShape) => GrownBody | 'unknown';

/** The names the step's module declares, which bodies refer to. */
export function stageTypeNames(stage: AppStage): { fn: string; input: string; output: string; blocked: string } {
    const base = pascalName(stage.name);
    return { fn: camelName(stage.name), input: `${base}Input`, output: `${base}Output`, blocked: `${base}Blocked` };
}

export const numeric = (f: AppField) => !f.ref && !f.many && ['int', 'number', 'money'].includes(f.base);
export const textual = (f: AppField) => !f.ref && !f.many && ['string', 'text', 'email', 'id'].includes(f.base);
export const dated = (f: AppField) => !f.ref && !f.many && f.base === 'date';
export const required = (f: AppField) => !f.optional && f.default === undefined;

/** The entity's first field that passes the test, preferring names that match the pattern. */
export function pick(entity: AppEntity, test: (f: AppField) => boolean, prefer?: RegExp): AppField | undefined {
    const fitting = entity.fields.filter(test);
    return (prefer && fitting.find(f => prefer.test(f.name))) ?? fitting[0];
}

/** The entity's field named by the pattern that passes the test (no fallback). */
export function named(entity: AppEntity, test: (f: AppField) => boolean, pattern: RegExp): AppField | undefined {
    return entity.fields.find(f => test(f) && pattern.test(f.name));
}

/** A single reference from the entity to the target (not a list). */
export function refTo(entity: AppEntity, target: string): AppField | undefined {
    return entity.fields.find(f => f.ref === target && !f.many);
}

/** A list of references from the entity to the target. */
export function listOf(entity: AppEntity, target: string): AppField | undefined {
    return entity.fields.find(f => f.ref === target && f.many);
}

/** Whether every required field of the entity is among the ones the body sets. */
export function coversRequired(entity: AppEntity, set: Array<AppField | undefined>): boolean {
    const names = new Set(set.flatMap(f => f ? [f.name] : []));
    return entity.fields.every(f => !required(f) || names.has(f.name));
}

export function entities(shape: StepShape, names: string[]): AppEntity[] {
    return names.map(name => entityOf(shape.app, name));
}

/** The one entity the step outputs, or undefined when it outputs none or several. */
export function singleOutput(shape: StepShape): AppEntity | undefined {
    return shape.stage.outputs.length === 1 ? entityOf(shape.app, shape.stage.outputs[0]) : undefined;
}

/** An expression for a possibly optional field value, as text for messages. */
export function textOf(variable: string, field: AppField): string {
    return field.optional ? `String(${variable}.${field.name} ?? '')` : `${variable}.${field.name}`;
}

/** One hop of a reference path: the field followed and the entity reached. */
export interface Hop {
    field: AppField;
    entity: AppEntity;
}

/** The shortest path of single references (at most `depth` hops) from one entity to another. */
export function pathTo(app: AppModel, from: AppEntity, to: string, depth = 3): Hop[] | undefined {
    const queue: Array<{ at: AppEntity; hops: Hop[] }> = [{ at: from, hops: [] }];
    const seen = new Set([from.name]);
    while (queue.length) {
        const { at, hops } = queue.shift()!;
        for (const field of at.fields.filter(f => f.ref && !f.many)) {
            const next = entityOf(app, field.ref!);
            const path = [...hops, { field, entity: next }];
            if (next.name === to) {
                return path;
            }
            if (!seen.has(next.name) && path.length < depth) {
                seen.add(next.name);
                queue.push({ at: next, hops: path });
            }
        }
    }
    return undefined;
}

/**
 * Statements resolving a reference path from `row`: `const via_case = ctx.resolve('Case', row.case);`
 * and so on; returns them with the variable holding the last record (possibly undefined).
 */
export function resolvePath(row: string, hops: Hop[]): { lines: string[]; variable: string } {
    const lines: string[] = [];
    let holder = row;
    let variable = 'via';
    hops.forEach((hop, index) => {
        variable = `${variable}_${hop.field.name}`;
        const access = `${holder}.${hop.field.name}`;
        lines.push(index === 0
            ? `const ${variable} = ctx.resolve(${str(hop.entity.name)}, ${access});`
            : `const ${variable} = ${holder} ? ctx.resolve(${str(hop.entity.name)}, ${access}) : undefined;`);
        holder = variable;
    });
    return { lines, variable };
}

/** Whether the value is required (bodies can use it directly) or needs `?.`. */
export function access(holder: string, field: AppField, optionalHolder: boolean): string {
    return `${holder}${optionalHolder ? '?.' : '.'}${field.name}`;
}
