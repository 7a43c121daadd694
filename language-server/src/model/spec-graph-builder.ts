import type * as ast from '../generated/ast.js';
import { elementId, type AttrValue, type EdgeKind, type NodeKind, type SectionName, type SourceRange, type SpecEdge, type SpecGraph, type SpecNode } from './spec-graph.js';

/** The section keyword each AST section type is written with. */
const sectionNames: Record<ast.Section['$type'], SectionName> = {
    Identity: 'identity', Desires: 'desires', EvidencePolicy: 'evidence_policy', DataContracts: 'data_contracts',
    Workflows: 'workflows', Interface: 'interface', Safety: 'safety', Personalization: 'personalization',
    Deployment: 'deployment', Organs: 'organs', GrowthPlates: 'growth_plates', MorphRules: 'morph_rules',
    Acceptance: 'acceptance', Lineage: 'lineage'
};

export function sectionName(section: ast.Section): SectionName {
    return sectionNames[section.$type];
}

/**
 * Builds the spec graph of a parsed (and, for edges, linked) spec. Unresolved references are kept
 * as text in `unresolved`. A spec with syntax errors still gives a graph of what did parse.
 */
export function buildSpecGraph(spec: ast.Spec): SpecGraph {
    return new GraphBuilder(spec).build();
}

class GraphBuilder {
    private readonly nodes: SpecNode[] = [];
    private readonly byId = new Map<string, SpecNode>();
    private readonly edges: SpecEdge[] = [];
    private readonly specId: string;

    constructor(private readonly spec: ast.Spec) {
        this.specId = `spec:${spec.name}`;
    }

    build(): SpecGraph {
        const { spec } = this;
        // A half-parsed spec may lack its name or version: the graph still has strings there.
        this.node({ id: this.specId, kind: 'spec', name: spec.name ?? '', attrs: { version: spec.version, stage: spec.stage?.$refText } }, spec);
        for (const section of spec.sections) {
            const id = `section:${sectionName(section)}`;
            this.node({ id, kind: 'section', name: sectionName(section), parent: this.specId, attrs: {} }, section);
            this.section(section, id);
        }
        this.acceptedRules();
        return { name: spec.name ?? '', version: spec.version ?? '', stage: spec.stage?.$refText, nodes: this.nodes, edges: this.edges };
    }

    /** A plate accepts a morph kind; where a rule of that kind exists, that is an `accepts` edge to it. */
    private acceptedRules(): void {
        for (const plate of this.nodes.filter(n => n.kind === 'plate')) {
            for (const kind of (plate.attrs.accepts ?? []) as string[]) {
                if (this.byId.has(`rule:${kind}`)) {
                    this.edges.push({ kind: 'accepts', from: plate.id, to: `rule:${kind}` });
                }
            }
        }
    }

    private section(section: ast.Section, parent: string): void {
        switch (section.$type) {
            case 'Identity': return this.identity(section, parent);
            case 'Desires':
                for (const d of section.desires) {
                    this.element(d, parent, {
                        title: d.title, goals: d.goals, constraints: d.constraints, trustedSources: d.trustedSources,
                        outputs: d.outputs, cadence: d.cadences, preferences: d.preferences
                    });
                }
                return;
            case 'EvidencePolicy':
                if (section.cadences.length || section.minimumTiers.length) {
                    this.node({ id: 'policy', kind: 'policy', name: 'policy', parent, attrs: { cadence: section.cadences, minimumTier: section.minimumTiers } }, section);
                }
                for (const s of section.sources) {
                    const id = this.element(s, parent, { title: s.title, tier: s.tiers[0], cadence: s.cadences[0], url: s.urls[0] });
                    this.refs(id, 'provides', s.provides);
                }
                return;
            case 'DataContracts':
                for (const e of section.entities) {
                    const entityId = this.element(e, parent, { title: e.title });
                    for (const f of e.fields) {
                        const id = this.element(f, entityId, {
                            type: !f.type || f.type.entity ? undefined : fieldTypeText(f.type), many: f.type?.many, optional: f.type?.optional,
                            default: f.default && fieldDefaultText(f.default),
                            pii: f.flags.includes('pii'), phi: f.flags.includes('phi'), description: f.description
                        });
                        this.refs(id, 'references', [f.type?.entity]);
                    }
                }
                return;
            case 'Workflows':
                for (const p of section.pipelines) {
                    const pipelineId = this.element(p, parent, { title: p.title, schedules: p.triggers.flatMap(t => t.schedule ?? []) });
                    this.refs(pipelineId, 'triggers', p.triggers.map(t => t.entity));
                    let previous: string | undefined;
                    for (const s of p.steps) {
                        const id = this.element(s, pipelineId, {
                            title: s.title, strategy: s.strategies[0]
                        });
                        this.refs(id, 'reads', s.reads);
                        this.refs(id, 'outputs', s.outputs);
                        this.refs(id, 'enforces', s.enforces);
                        if (previous) {
                            this.edges.push({ kind: 'next', from: previous, to: id });
                        }
                        previous = id;
                    }
                }
                return;
            case 'Interface':
                for (const r of section.roles) {
                    this.element(r, parent, { title: r.title });
                }
                for (const p of section.panels) {
                    const id = this.element(p, parent, { title: p.title });
                    this.refs(id, 'shows', p.shows);
                    this.refs(id, 'for', p.roles);
                }
                for (const a of section.actions) {
                    const id = this.element(a, parent, { title: a.title });
                    this.refs(id, 'on', [a.panels[0]]);
                    this.refs(id, 'runs', [a.runs[0]]);
                    this.refs(id, 'for', a.roles);
                }
                return;
            case 'Safety':
                for (const g of section.guardrails) {
                    this.element(g, parent, { text: g.text });
                }
                for (const d of section.disclaimers) {
                    const id = this.element(d, parent, { text: d.text });
                    this.refs(id, 'on', d.panels);
                }
                return;
            case 'Personalization':
                for (const p of section.preferences) {
                    const id = this.element(p, parent, { text: p.text });
                    this.refs(id, 'for', p.roles);
                }
                for (const h of section.heuristics) {
                    const id = this.element(h, parent, { text: h.text });
                    this.refs(id, 'on', [h.target]);
                }
                return;
            case 'Deployment':
                this.node({ id: 'deployment', kind: 'deployment', name: 'deployment', parent, attrs: clean({ devices: section.devices, cadence: section.cadences }) }, section);
                for (const s of section.schedules) {
                    const name = s.pipeline?.$refText ?? '';
                    const id = `schedule:${name}`;
                    this.node({ id, kind: 'schedule', name, parent, attrs: clean({ cadence: s.cadence, at: s.time }) }, s);
                    this.refs(id, 'schedules', [s.pipeline]);
                }
                for (const r of section.retentions) {
                    const name = r.entity?.$refText ?? 'default';
                    const id = `retention:${name}`;
                    this.node({ id, kind: 'retention', name, parent, attrs: { keep: `${r.amount} ${r.unit}` } }, r);
                    this.refs(id, 'retains', [r.entity]);
                }
                return;
            case 'Organs':
                for (const o of section.organs) {
                    const id = this.element(o, parent, { title: o.title });
                    this.refs(id, 'includes', o.members);
                }
                return;
            case 'GrowthPlates':
                for (const p of section.plates) {
                    const id = this.element(p, parent, { title: p.title, accepts: p.accepts });
                    this.refs(id, 'at', [p.at]);
                }
                return;
            case 'MorphRules':
                for (const r of section.rules) {
                    const id = this.element(r, parent, { risk: r.risk, review: r.reviews[0] });
                    this.refs(id, 'requires', r.requires);
                }
                return;
            case 'Acceptance':
                for (const t of section.tests) {
                    const id = this.element(t, parent, { text: t.text });
                    this.refs(id, 'covers', t.covers);
                }
                return;
            case 'Lineage':
                for (const e of section.entries) {
                    const id = this.element(e, parent, {
                        variant: e.kind === 'variant', version: e.version,
                        by: e.morphs.map(m => m.target ? `${m.kind} ${m.target}` : m.kind)
                    });
                    this.refs(id, 'from', [e.parents[0]]);
                }
                return;
        }
    }

    private identity(identity: ast.Identity, parent: string): void {
        for (const p of identity.purposes) {
            this.node({ id: 'purpose', kind: 'purpose', name: 'purpose', parent, attrs: { text: p.text } }, p);
        }
        for (const b of identity.beneficiaries) {
            this.element(b, parent, { description: b.description });
        }
        for (const e of identity.envelopes) {
            this.node({ id: `envelope:${e.text}`, kind: 'envelope', name: e.text, parent, attrs: { text: e.text } }, e);
        }
        for (const p of identity.prohibitions) {
            const target = p.beneficiary?.$refText ?? p.envelope ?? p.morph;
            const name = [p.action, p.subject, p.envelope !== undefined ? `"${p.envelope}"` : target].filter(Boolean).join(' ');
            const id = `prohibition:${name}`;
            this.node({ id, kind: 'prohibition', name, parent, attrs: clean({ action: p.action, subject: p.subject, target }) }, p);
            this.refs(id, 'protects', [p.beneficiary]);
        }
    }

    /** Adds the node for a named AST element and returns its id. */
    private element(element: ast.Element, parent: string, attrs: Record<string, AttrValue | undefined>): string {
        const id = elementId(element);
        const kind = id.slice(0, id.indexOf(':')) as NodeKind;
        // Only disclaimers may be unnamed; their text names them.
        this.node({ id, kind, name: element.name ?? (element as ast.Disclaimer).text ?? '', parent, attrs: clean(attrs) }, element);
        return id;
    }

    private node(node: Omit<SpecNode, 'attrs'> & { attrs: Record<string, AttrValue | undefined> }, source: { $cstNode?: { range: SourceRange } }): void {
        const built = { ...node, attrs: clean(node.attrs), range: copyRange(source.$cstNode?.range) };
        this.nodes.push(built);
        this.byId.set(built.id, built);
    }

    /** References become edges; one that does not resolve is kept as `kind:text` in the node's `unresolved` attribute. */
    private refs(from: string, kind: EdgeKind, references: ReadonlyArray<{ ref?: ast.Element, $refText: string } | undefined>): void {
        for (const reference of references) {
            if (!reference) {
                continue;
            }
            if (reference.ref) {
                this.edges.push({ kind, from, to: elementId(reference.ref) });
            } else {
                const node = this.byId.get(from)!;
                node.attrs.unresolved = [...(node.attrs.unresolved as string[] ?? []), `${kind}:${reference.$refText}`];
            }
        }
    }
}

/** A non-entity field type as written: `int`, `enum(open, closed)`, with `[]` and `?` suffixes. */
export function fieldTypeText(type: ast.FieldType): string {
    // Entity types are a `references` edge instead: see the field's node.
    const base = type.primitive ?? `enum(${type.values.join(', ')})`;
    return base + (type.many ? '[]' : '') + (type.optional ? '?' : '');
}

/**
 * A field's default as a literal: `"north"`, `0`, `-1.5`, `true`, `reserved` (an enum value).
 * Kept as text so `false`, `0` and `""` survive `clean` and stay distinguishable from names.
 */
export function fieldDefaultText(value: ast.FieldDefault): string | undefined {
    if (value.text !== undefined) {
        return JSON.stringify(value.text);
    }
    return value.number !== undefined ? String(value.number) : value.bool ?? value.value;
}

/** Drops empty attributes so the normalized JSON only says what the spec says. */
function clean(attrs: Record<string, AttrValue | undefined>): Record<string, AttrValue> {
    const result: Record<string, AttrValue> = {};
    for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === false || value === '' || (Array.isArray(value) && value.length === 0)) {
            continue;
        }
        result[key] = value;
    }
    return result;
}

function copyRange(range: SourceRange | undefined): SourceRange | undefined {
    return range && { start: { ...range.start }, end: { ...range.end } };
}
