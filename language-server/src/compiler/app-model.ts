import { literalValue, parseValueType, type JsonValue } from '../model/field-values.js';
import { graphIndex, outgoing } from '../model/graph-index.js';
import { idName, type SpecGraph, type SpecNode } from '../model/spec-graph.js';

/**
 * What the Compiler generates from: the parts of the spec graph an app is made of (entities,
 * pipelines, panels, safety), read once from the graph and in its order. Never the text.
 */

export interface AppField {
    name: string;
    /** The type as written in the spec (`int`, `enum(a, b)?`, `Allocation[]`). */
    typeText: string;
    /** A primitive type (`int`, `date`, …), `enum`, or, for a reference, the entity's name. */
    base: string;
    /** The referenced entity, when the field's type is one. */
    ref?: string;
    /** Enum values, in the spec's order. */
    values: string[];
    many: boolean;
    optional: boolean;
    default?: JsonValue;
    pii: boolean;
    phi: boolean;
    description?: string;
}

export interface AppEntity {
    name: string;
    title?: string;
    fields: AppField[];
}

export interface AppGuardrail {
    name: string;
    text: string;
}

export interface AppHeuristic {
    name: string;
    text: string;
}

export interface AppStage {
    kind: 'step' | 'gate';
    name: string;
    pipeline: string;
    /** `pipeline.step`, as manifests, markers and NotYetGrown name it. */
    qualified: string;
    title?: string;
    strategy?: string;
    reads: string[];
    outputs: string[];
    enforces: AppGuardrail[];
    /** Heuristics the spec attaches to this step (`heuristic … on pipeline.step`). */
    heuristics: AppHeuristic[];
    /** Entities this step outputs that an earlier step of its pipeline outputs too (it adds to them). */
    earlier: string[];
}

export interface AppPipeline {
    name: string;
    title?: string;
    /** Cadence triggers (`trigger nightly`). */
    schedules: string[];
    /** Entity triggers (`trigger on Contract`). */
    on: string[];
    /** The deployment's `schedule` line for this pipeline. */
    schedule?: { cadence: string; at?: string };
    stages: AppStage[];
}

export interface AppShown {
    entity: string;
    /** The fields the panel names (`shows Patient.name`); undefined: the whole entity. */
    fields?: string[];
}

export interface AppAction {
    name: string;
    title?: string;
    runs?: string;
    roles: string[];
}

export interface AppPanel {
    name: string;
    title?: string;
    shows: AppShown[];
    roles: string[];
    disclaimers: string[];
    actions: AppAction[];
}

/** An acceptance test: its text and what it covers (graph ids: `gate:pipeline.gate`, `guardrail:name`, `panel:name`…). */
export interface AppTest {
    name: string;
    text: string;
    covers: string[];
}

export interface AppModel {
    spec: string;
    version: string;
    purpose?: string;
    entities: AppEntity[];
    pipelines: AppPipeline[];
    panels: AppPanel[];
    guardrails: AppGuardrail[];
    /** Disclaimers on no panel in particular: every page shows them. */
    disclaimers: string[];
    /** The acceptance tests, in the spec's order: what the Tester turns into checks. */
    tests: AppTest[];
}

/** The app a spec graph describes. */
export function appModel(graph: SpecGraph): AppModel {
    const { nodes, children } = graphIndex(graph);
    const ofKind = (kind: SpecNode['kind']) => graph.nodes.filter(n => n.kind === kind);
    const text = (node: SpecNode | undefined, attr: string) => typeof node?.attrs[attr] === 'string' ? node.attrs[attr] as string : undefined;
    const targets = (from: string, kind: Parameters<typeof outgoing>[2]) => outgoing(graph, from, kind).map(e => e.to);
    const guardrail = (id: string): AppGuardrail => ({ name: idName(id), text: text(nodes.get(id), 'text') ?? idName(id) });

    const entities = ofKind('entity').map(entity => ({
        name: entity.name, title: text(entity, 'title'),
        fields: (children.get(entity.id) ?? []).filter(n => n.kind === 'field').map(field => appField(graph, field))
    }));

    const pipelines = ofKind('pipeline').map(pipeline => {
        const schedule = graph.nodes.find(n => n.kind === 'schedule' && targets(n.id, 'schedules').includes(pipeline.id));
        const produced = new Set<string>();
        const stages = (children.get(pipeline.id) ?? []).filter(n => n.kind === 'step' || n.kind === 'gate').map(stage => {
            const outputs = targets(stage.id, 'outputs').map(idName);
            const reads = targets(stage.id, 'reads').map(idName);
            const earlier = outputs.filter(e => produced.has(e) && !reads.includes(e));
            outputs.forEach(e => produced.add(e));
            return {
                kind: stage.kind as 'step' | 'gate', name: stage.name, pipeline: pipeline.name, qualified: `${pipeline.name}.${stage.name}`,
                title: text(stage, 'title'), strategy: text(stage, 'strategy'), reads, outputs,
                enforces: targets(stage.id, 'enforces').map(guardrail),
                heuristics: graph.edges.filter(e => e.kind === 'on' && e.to === stage.id && e.from.startsWith('heuristic:'))
                    .map(e => ({ name: idName(e.from), text: text(nodes.get(e.from), 'text') ?? '' })),
                earlier
            };
        });
        return {
            name: pipeline.name, title: text(pipeline, 'title'),
            schedules: (pipeline.attrs.schedules ?? []) as string[],
            on: targets(pipeline.id, 'triggers').map(idName),
            schedule: schedule && { cadence: text(schedule, 'cadence') ?? '', ...(text(schedule, 'at') ? { at: text(schedule, 'at') } : {}) },
            stages
        };
    });

    const disclaimers = ofKind('disclaimer');
    const panels = ofKind('panel').map(panel => ({
        name: panel.name, title: text(panel, 'title'),
        shows: shownOn(targets(panel.id, 'shows')),
        roles: targets(panel.id, 'for').map(idName),
        disclaimers: disclaimers.filter(d => targets(d.id, 'on').includes(panel.id)).map(d => text(d, 'text') ?? d.name),
        actions: ofKind('action').filter(a => targets(a.id, 'on').includes(panel.id)).map(action => ({
            name: action.name, title: text(action, 'title'),
            runs: targets(action.id, 'runs').map(idName)[0],
            roles: targets(action.id, 'for').map(idName)
        }))
    }));

    return {
        spec: graph.name, version: graph.version, purpose: text(nodes.get('purpose'), 'text'),
        entities, pipelines, panels,
        guardrails: ofKind('guardrail').map(g => guardrail(g.id)),
        disclaimers: disclaimers.filter(d => targets(d.id, 'on').length === 0).map(d => text(d, 'text') ?? d.name),
        tests: ofKind('test').map(test => ({ name: test.name, text: text(test, 'text') ?? test.name, covers: targets(test.id, 'covers') }))
    };
}

function appField(graph: SpecGraph, field: SpecNode): AppField {
    const ref = outgoing(graph, field.id, 'references').map(e => idName(e.to))[0];
    const many = field.attrs.many === true;
    const optional = field.attrs.optional === true;
    const typeText = typeof field.attrs.type === 'string' ? field.attrs.type : `${ref ?? 'string'}${many ? '[]' : ''}${optional ? '?' : ''}`;
    const parsed = parseValueType(typeText);
    const literal = typeof field.attrs.default === 'string' ? field.attrs.default : undefined;
    return {
        name: field.name, typeText, base: ref ?? parsed?.base ?? 'string', ...(ref ? { ref } : {}),
        values: parsed?.values ?? [], many, optional,
        ...(literal !== undefined ? { default: literalValue(literal) } : {}),
        pii: field.attrs.pii === true, phi: field.attrs.phi === true,
        ...(typeof field.attrs.description === 'string' ? { description: field.attrs.description } : {})
    };
}

/** A panel's `shows` targets grouped by entity, in order of first mention; a whole entity wins over its named fields. */
function shownOn(targets: string[]): AppShown[] {
    const shown = new Map<string, AppShown>();
    for (const target of targets) {
        const [entity, field] = idName(target).split('.');
        const current = shown.get(entity);
        if (target.startsWith('entity:')) {
            shown.set(entity, { entity });
        } else if (!current) {
            shown.set(entity, { entity, fields: [field] });
        } else if (current.fields && !current.fields.includes(field)) {
            current.fields.push(field);
        }
    }
    return [...shown.values()];
}

/** The entity of that name (the compiler only asks for names the graph resolved). */
export function entityOf(app: AppModel, name: string): AppEntity {
    const entity = app.entities.find(e => e.name === name);
    if (!entity) {
        throw new Error(`The app has no entity '${name}'.`);
    }
    return entity;
}
