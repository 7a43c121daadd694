import { AstNodeHoverProvider, type LangiumServices } from 'langium/lsp';
import { CstUtils, GrammarUtils, type AstNode, type DocumentationProvider, type LangiumDocument } from 'langium';
import type { Hover, HoverParams } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import type { SpecGraphCache } from '../language/spec-graph-cache.js';
import { fieldTypeOf, graphIndex, outgoing } from '../model/graph-index.js';
import { isMorphKind, morphCatalogue } from '../model/morphs.js';
import { sectionName } from '../model/spec-graph-builder.js';
import { elementId, idName, unresolvedRefs, type EdgeKind, type SpecGraph, type SpecNode } from '../model/spec-graph.js';

/** How an edge reads from its target's side, for "what points here" lines. */
const incomingLabels: Partial<Record<EdgeKind, string>> = {
    reads: 'read by', outputs: 'output by', enforces: 'enforced by', covers: 'covered by', requires: 'required by',
    accepts: 'accepted by plate', provides: 'provided by', references: 'referenced by', shows: 'shown on', for: 'used by',
    on: 'targeted by', runs: 'run by', includes: 'in organ', at: 'growth plate here', from: 'grown into', protects: 'protected by',
    triggers: 'triggers', schedules: 'scheduled by'
};

/** Attributes shown as the element's summary line or not at all. */
const hiddenAttributes = new Set(['title', 'text', 'description', 'unresolved']);

/**
 * Hover for declarations and references alike (Langium resolves a reference to its target):
 * what the element is, its doc comment, its attributes, what it points at and what points at it,
 * all read from the spec graph. Morph kind names hover with their catalogue entry.
 */
export class FspecHoverProvider extends AstNodeHoverProvider {
    private readonly documentation: DocumentationProvider;
    private readonly graphs: SpecGraphCache;

    constructor(services: FspecServices) {
        super(services as LangiumServices);
        this.documentation = services.documentation.DocumentationProvider;
        this.graphs = services.model.SpecGraphs;
    }

    override async getHoverContent(document: LangiumDocument, params: HoverParams): Promise<Hover | undefined> {
        return await super.getHoverContent(document, params) ?? this.morphKindHover(document, params);
    }

    protected getAstNodeHoverContent(node: AstNode): string | undefined {
        if (ast.isSpec(node)) {
            const sections = node.sections.map(sectionName).join(', ');
            return [`**spec** \`${node.name}\` version ${node.version}${node.stage ? `, stage \`${node.stage.$refText}\`` : ''}`,
                this.documentation.getDocumentation(node), `Sections: ${sections}`].filter(Boolean).join('\n\n');
        }
        if (!ast.isElement(node) || !node.name) {
            return undefined;
        }
        const graph = this.graphs.of(node);
        const graphNode = graphIndex(graph).nodes.get(elementId(node));
        if (!graphNode) {
            return undefined;
        }
        const doc = this.documentation.getDocumentation(node);
        return [header(graphNode), doc, details(graph, graphNode)].filter(Boolean).join('\n\n');
    }

    /** Morph kinds are plain names in plates, lineage and prohibitions: explain them from the catalogue. */
    private morphKindHover(document: LangiumDocument, params: HoverParams): Hover | undefined {
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(params.position));
        const assignment = leaf && GrammarUtils.findAssignment(leaf);
        const isKindName = assignment && (
            (ast.isPlate(leaf.astNode) && assignment.feature === 'accepts')
            || (ast.isAppliedMorph(leaf.astNode) && assignment.feature === 'kind')
            || (ast.isProhibition(leaf.astNode) && assignment.feature === 'morph'));
        if (!isKindName || !isMorphKind(leaf.text)) {
            return undefined;
        }
        const graph = this.graphs.of(document.parseResult.value);
        const rule = graphIndex(graph).nodes.get(`rule:${leaf.text}`);
        const requires = rule ? [...outgoing(graph, rule.id, 'requires').map(e => idName(e.to)), ...unresolvedRefs(rule, 'requires')] : [];
        const ruleText = rule ? `\n\nRule: risk **${rule.attrs.risk}**${rule.attrs.review ? `, review ${rule.attrs.review}` : ''}${requires.length ? `, requires ${requires.map(t => `\`${t}\``).join(', ')}` : ''}` : '';
        return { contents: { kind: 'markdown', value: morphKindText(leaf.text) + ruleText }, range: leaf.range };
    }
}

function morphKindText(kind: keyof typeof morphCatalogue): string {
    const entry = morphCatalogue[kind];
    return `**morph** \`${kind}\`: ${entry.summary}. ${entry.governed ? 'Needs a growth plate that accepts it and a morph rule.' : 'Needs no plate or rule.'}`;
}

function header(node: SpecNode): string {
    const label = node.attrs.title ?? node.attrs.text ?? node.attrs.description;
    const summary = node.kind === 'rule' && isMorphKind(node.name) ? ` — ${morphCatalogue[node.name].summary}` : '';
    return `**${kindLabel(node)}** \`${idName(node.id)}\`${typeof label === 'string' ? ` — ${label}` : summary}`;
}

function kindLabel(node: SpecNode): string {
    switch (node.kind) {
        case 'rule': return 'morph rule';
        case 'plate': return 'growth plate';
        case 'test': return 'acceptance test';
        case 'stage': return node.attrs.variant ? 'variant' : 'stage';
        default: return node.kind;
    }
}

function details(graph: SpecGraph, node: SpecNode): string {
    const index = graphIndex(graph);
    const lines: string[] = [];
    for (const [key, value] of Object.entries(node.attrs)) {
        if (key === 'accepts' && Array.isArray(value)) {
            // A plate's kinds, each with the risk its rule gives it.
            lines.push(`- accepts: ${value.map(kind => {
                const rule = index.nodes.get(`rule:${kind}`);
                return `\`${kind}\` (${rule ? `risk ${rule.attrs.risk}` : 'no rule'})`;
            }).join(', ')}`);
        } else if (!hiddenAttributes.has(key) && key !== 'variant') {
            lines.push(`- ${key}: ${Array.isArray(value) ? value.map(v => `\`${v}\``).join(', ') : value === true ? 'yes' : `\`${value}\``}`);
        }
    }
    for (const child of index.children.get(node.id) ?? []) {
        const type = child.kind === 'field' ? fieldTypeOf(graph, child) : undefined;
        const flags = [child.attrs.pii && 'pii', child.attrs.phi && 'phi'].filter(Boolean);
        lines.push(`- ${child.kind} \`${child.name}\`${type ? `: ${type}` : ''}${flags.length ? ` (${flags.join(', ')})` : ''}`);
    }
    const outgoing = group(index.outgoing.get(node.id) ?? [], e => e.kind, e => e.to);
    for (const [kind, targets] of outgoing) {
        if (kind !== 'next' && kind !== 'accepts') {
            lines.push(`- ${kind}: ${targets.map(t => describeTarget(index.nodes.get(t), t)).join(', ')}`);
        }
    }
    const incoming = group(index.incoming.get(node.id) ?? [], e => e.kind, e => e.from);
    for (const [kind, sources] of incoming) {
        const label = incomingLabels[kind];
        if (kind === 'retains') {
            lines.push(`- kept: ${sources.map(s => index.nodes.get(s)?.attrs.keep).join(', ')}`);
        } else if (label) {
            lines.push(`- ${label}: ${sources.map(s => `\`${idName(s)}\``).join(', ')}`);
        }
    }
    return lines.join('\n');
}

/** A reference target with what it says, so a rule's required tests read as sentences. */
function describeTarget(target: SpecNode | undefined, id: string): string {
    const text = target?.attrs.text;
    const risk = target?.kind === 'rule' ? ` (risk ${target.attrs.risk})` : '';
    return `\`${idName(id)}\`${typeof text === 'string' ? ` "${text}"` : ''}${risk}`;
}

function group<T>(items: T[], key: (item: T) => EdgeKind, value: (item: T) => string): Map<EdgeKind, string[]> {
    const groups = new Map<EdgeKind, string[]>();
    for (const item of items) {
        groups.set(key(item), [...(groups.get(key(item)) ?? []), value(item)]);
    }
    return groups;
}
