import { AstUtils, GrammarUtils, type LangiumDocument, type Reference } from 'langium';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver';
import * as ast from '../../generated/ast.js';
import type { DetachedSpec, DetachedSpecs } from '../../language/detached-specs.js';
import { nextMinorVersion } from '../../lineage/versions.js';
import { appendInside, appendToSection, insertLinesAfter, prependInside, removeLine, replaceProperty } from '../../language/spec-edits.js';
import { checkMorphRules, GrowthCodes } from '../../model/growth-rules.js';
import { outgoing } from '../../model/graph-index.js';
import { uniqueName } from '../../model/names.js';
import { diffSpecGraphs } from '../../model/semantic-diff.js';
import { idName } from '../../model/spec-graph.js';
import type { MorphProposal } from '../contracts.js';
import { defaultLiteral, fitsType, parseValueType, type ValueType } from '../../model/field-values.js';
import { convertersFor, pairName } from '../record-converters.js';

/** The stage a growth records in the spec's lineage. */
export interface GrowthStage {
    name: string;
    version: string;
    /** The variant this growth is a version of (recorded as `variant` in the lineage); absent on the main line. */
    variant?: string;
    from?: string;
    /** Applied morphs as the lineage writes them: `add_source weather_service`. */
    by: string[];
}

export interface CompiledGrowth {
    /** The whole proposed spec text. */
    text: string;
    stage: GrowthStage;
}

/** A proposal the Compiler cannot write, e.g. one naming a pipeline the spec does not have. */
export class CompileError extends Error {}

/** Where in the lineage a growth goes. */
export interface LineagePlace {
    /** Versions the lineage has recorded (some perhaps rolled back): never reused. */
    takenVersions?: ReadonlySet<string>;
    /** The variant being grown (HEAD is on its branch); absent on the main line. */
    variant?: string;
}

/**
 * The Compiler: writes morph proposals into the spec text, one at a time on a detached copy, so
 * each edit is placed by the parsed spec it lands in. Then it places new elements in the organ
 * whose growth plate accepts them, bumps the version and records the stage (or the variant's
 * version) in the lineage. The user's file is never touched here.
 */
export async function compileGrowth(detached: DetachedSpecs, current: DetachedSpec, proposals: MorphProposal[], stageBase: string, place: LineagePlace = {}): Promise<CompiledGrowth> {
    let spec = current;
    for (const proposal of proposals) {
        spec = await applyEdits(detached, spec, proposalEdits(documentOf(spec), proposal));
    }
    spec = await applyEdits(detached, spec, organPlacements(current, spec));
    const root = documentOf(spec).parseResult.value;
    const taken = AstUtils.streamAllContents(root).filter(ast.isElement).map(e => e.name ?? '').toArray();
    const stage: GrowthStage = {
        name: uniqueName(stageBase, taken),
        version: nextMinorVersion(root.version, place.takenVersions, place.variant),
        ...(place.variant ? { variant: place.variant } : {}),
        from: root.stage?.$refText ?? root.sections.filter(ast.isLineage).flatMap(l => l.entries).at(-1)?.name,
        by: proposals.flatMap(lineageMorph)
    };
    const versionNode = GrammarUtils.findNodeForProperty(root.$cstNode, 'version')!;
    spec = await applyEdits(detached, spec, [
        { range: versionNode.range, newText: JSON.stringify(stage.version) },
        root.stage ? replaceProperty(root, 'stage', stage.name) : { range: { start: versionNode.range.end, end: versionNode.range.end }, newText: ` stage ${stage.name}` },
        appendToSection(documentOf(spec), 'lineage', [lineageLine(stage)])
    ]);
    return { text: documentOf(spec).textDocument.getText(), stage };
}

function documentOf(spec: DetachedSpec): LangiumDocument<ast.Spec> {
    if (spec.problem) {
        throw new CompileError(`The spec does not parse after the Compiler's edits (${spec.problem}).`);
    }
    return spec.document;
}

async function applyEdits(detached: DetachedSpecs, spec: DetachedSpec, edits: Array<TextEdit | undefined>): Promise<DetachedSpec> {
    const placed = edits.filter((e): e is TextEdit => e !== undefined);
    if (placed.length === 0) {
        return spec;
    }
    const text = TextDocument.applyEdits(spec.document.textDocument, placed);
    return detached.load(text, spec.document.uri);
}

function proposalEdits(document: LangiumDocument<ast.Spec>, proposal: MorphProposal): Array<TextEdit | undefined> {
    const spec = document.parseResult.value;
    const quoted = (text: string | undefined) => text ? ` ${JSON.stringify(text)}` : '';
    const list = (keyword: string, names: string[] | undefined) => names?.length ? ` ${keyword} ${names.join(', ')}` : '';
    switch (proposal.type) {
        case 'add_source':
            return [appendToSection(document, 'evidence_policy', [`source ${proposal.name}${quoted(proposal.title)}${proposal.tier ? ` tier ${proposal.tier}` : ''}${proposal.cadence ? ` cadence ${proposal.cadence}` : ''}${list('provides', proposal.provides)}`])];
        case 'insert_gate':
        case 'add_step': {
            const pipeline = findPipeline(spec, proposal.pipeline);
            const line = proposal.type === 'insert_gate'
                ? `gate ${proposal.name}${quoted(proposal.title)}${list('reads', proposal.reads)}${list('enforces', proposal.enforces)}`
                : `step ${proposal.name}${quoted(proposal.title)}${proposal.strategy ? ` strategy ${proposal.strategy}` : ''}${list('reads', proposal.reads)}${list('output', proposal.outputs)}`;
            if (proposal.after) {
                return [insertLinesAfter(document, findStep(pipeline, proposal.after), [line])];
            }
            return [proposal.type === 'insert_gate' ? prependInside(document, pipeline, [line]) : appendInside(document, pipeline, [line])];
        }
        case 'swap_allocator': {
            const step = findStep(findPipeline(spec, proposal.pipeline), proposal.step);
            return [step.strategies.length > 0 ? replaceProperty(step, 'strategies', proposal.strategy) : insertAfterName(step, ` strategy ${proposal.strategy}`)];
        }
        case 'add_surface':
            return [appendToSection(document, 'interface', [`panel ${proposal.name}${quoted(proposal.title)}${list('shows', proposal.shows)}${list('for', proposal.for)}`])];
        case 'add_entity':
            return [appendToSection(document, 'data_contracts', [`entity ${proposal.name}${quoted(proposal.title)} {`, ...proposal.fields.map(f => `  ${f.name}: ${f.type}`), '}'])];
        case 'add_field':
        case 'rename_field':
        case 'change_field_type':
            return fieldEdits(document, proposal);
        case 'add_guardrail':
            return [appendToSection(document, 'safety', [`guardrail ${proposal.name} ${JSON.stringify(proposal.text)}`])];
        case 'add_test':
            return [appendToSection(document, 'acceptance', [`test ${proposal.name} ${JSON.stringify(proposal.text)}${list('covers', proposal.covers)}`])];
        case 'change_purpose': {
            const purpose = spec.sections.filter(ast.isIdentity).flatMap(i => i.purposes)[0];
            return [purpose ? replaceProperty(purpose, 'text', JSON.stringify(proposal.text)) : appendToSection(document, 'identity', [`purpose ${JSON.stringify(proposal.text)}`])];
        }
        case 'remove_beneficiary': {
            const beneficiary = spec.sections.filter(ast.isIdentity).flatMap(i => i.beneficiaries).find(b => b.name === proposal.name);
            if (!beneficiary) {
                throw new CompileError(`remove_beneficiary names '${proposal.name}', which is not a beneficiary of the spec.`);
            }
            return [removeLine(document, beneficiary)];
        }
    }
}

type FieldProposal = Extract<MorphProposal, { type: 'add_field' | 'rename_field' | 'change_field_type' }>;

/**
 * A field added at the end of its entity (with its default), renamed together with every
 * reference to it (`shows Contract.buyer`, keeping the qualifier), or given its new type.
 */
function fieldEdits(document: LangiumDocument<ast.Spec>, proposal: FieldProposal): Array<TextEdit | undefined> {
    const spec = document.parseResult.value;
    const entity = spec.sections.filter(ast.isDataContracts).flatMap(d => d.entities).find(e => e.name === proposal.entity);
    if (!entity) {
        throw new CompileError(`${proposal.type} names entity '${proposal.entity}', which the spec does not have.`);
    }
    const fieldNamed = (name: string) => entity.fields.find(f => f.name === name);
    const refuseTaken = (name: string) => {
        if (fieldNamed(name)) {
            compileError(`${proposal.type} would give ${proposal.entity} a second field '${name}'.`);
        }
    };
    const existing = (name: string) => fieldNamed(name) ?? compileError(`${proposal.type} names field '${proposal.entity}.${name}', which the spec does not have.`);
    switch (proposal.type) {
        case 'add_field': {
            refuseTaken(proposal.name);
            const type = proposedType(proposal);
            if (proposal.default !== undefined && !fitsType(proposal.default, type)) {
                throw new CompileError(`The default ${JSON.stringify(proposal.default)} of ${proposal.entity}.${proposal.name} is not a value of type ${proposal.field_type}.`);
            }
            const initial = proposal.default === undefined ? '' : ` = ${defaultLiteral(proposal.default, type)}`;
            return [appendInside(document, entity, [`${proposal.name}: ${proposal.field_type.trim()}${initial}`])];
        }
        case 'rename_field': {
            const field = existing(proposal.from);
            refuseTaken(proposal.to);
            const references = AstUtils.streamAst(spec).flatMap(node => AstUtils.streamReferences(node)).map(r => r.reference as Reference).filter(r => r.ref === field);
            return [replaceProperty(field, 'name', proposal.to), ...references.map(reference => {
                const qualifier = reference.$refText.includes('.') ? reference.$refText.slice(0, reference.$refText.lastIndexOf('.') + 1) : '';
                return reference.$refNode && { range: reference.$refNode.range, newText: qualifier + proposal.to };
            })];
        }
        case 'change_field_type': {
            const field = existing(proposal.name);
            const [from, to] = [parseValueType(field.type.$cstNode?.text ?? ''), proposedType(proposal)];
            const converters = from ? convertersFor(from, to).map(c => c.name) : [];
            if (proposal.converter !== undefined && !converters.includes(proposal.converter)) {
                throw new CompileError(`change_field_type ${proposal.entity}.${proposal.name} names converter '${proposal.converter}'; `
                    + (converters.length ? `${pairName(from!, to)} has ${converters.join(', ')}.` : 'the Migrator has no converter for this type change.'));
            }
            return [replaceProperty(field, 'type', proposal.field_type.trim())];
        }
    }
}

function proposedType(proposal: Extract<FieldProposal, { field_type: string }>): ValueType {
    return parseValueType(proposal.field_type) ?? compileError(`${proposal.type} gives ${proposal.entity}.${proposal.name} the type '${proposal.field_type}', which is not a field type.`);
}

function compileError(message: string): never {
    throw new CompileError(message);
}

function findPipeline(spec: ast.Spec, name: string): ast.Pipeline {
    const pipeline = spec.sections.filter(ast.isWorkflows).flatMap(w => w.pipelines).find(p => p.name === name);
    if (!pipeline) {
        throw new CompileError(`The proposal names pipeline '${name}', which the spec does not have.`);
    }
    return pipeline;
}

function findStep(pipeline: ast.Pipeline, name: string): ast.Step {
    const step = pipeline.steps.find(s => s.name === name);
    if (!step) {
        throw new CompileError(`The proposal names step '${name}', which pipeline '${pipeline.name}' does not have.`);
    }
    return step;
}

function insertAfterName(step: ast.Step, text: string): TextEdit | undefined {
    const name = GrammarUtils.findNodeForProperty(step.$cstNode, step.title === undefined ? 'name' : 'title');
    return name && { range: { start: name.range.end, end: name.range.end }, newText: text };
}

/**
 * New elements a growth plate accepts only inside an organ (`plate sources accepts add_source at
 * ingestors`) join that organ: the same check the validator runs says which ones need it.
 */
function organPlacements(before: DetachedSpec, after: DetachedSpec): Array<TextEdit | undefined> {
    const graph = after.graph!;
    const added = diffSpecGraphs(before.graph!, graph).filter(m => m.change === 'add');
    const organs = documentOf(after).parseResult.value.sections.filter(ast.isOrgans).flatMap(o => o.organs);
    const joining = new Map<ast.Organ, string[]>();
    for (const finding of checkMorphRules(graph, added)) {
        if (finding.code !== GrowthCodes.MorphNotAllowed) {
            continue;
        }
        const plate = graph.nodes.find(n => n.kind === 'plate' && ((n.attrs.accepts ?? []) as string[]).includes(finding.morph.kind)
            && outgoing(graph, n.id, 'at')[0]?.to.startsWith('organ:'));
        const organ = plate && organs.find(o => `organ:${o.name}` === outgoing(graph, plate.id, 'at')[0].to);
        if (organ) {
            joining.set(organ, [...joining.get(organ) ?? [], idName(finding.morph.target)]);
        }
    }
    return [...joining].map(([organ, members]) => {
        const end = organ.$cstNode!.range.end;
        return { range: { start: end, end }, newText: organ.members.length ? `, ${members.join(', ')}` : ` includes ${members.join(', ')}` };
    });
}

/** How a proposal reads in the lineage's `by` list (acceptance tests are not growth steps). */
function lineageMorph(proposal: MorphProposal): string[] {
    switch (proposal.type) {
        case 'add_test': return [];
        case 'swap_allocator': return [`swap_allocator ${proposal.step}`];
        case 'rename_field': return [`rename_field ${proposal.entity}.${proposal.to}`];
        case 'add_field':
        case 'change_field_type': return [`${proposal.type} ${proposal.entity}.${proposal.name}`];
        case 'change_purpose': return ['identity_change'];
        case 'remove_beneficiary': return [`identity_change ${proposal.name}`];
        default: return [`${proposal.type} ${proposal.name}`];
    }
}

function lineageLine(stage: GrowthStage): string {
    return `${stage.variant ? 'variant' : 'stage'} ${stage.name} ${JSON.stringify(stage.version)}${stage.from ? ` from ${stage.from}` : ''}${stage.by.length ? ` by ${stage.by.join(', ')}` : ''}`;
}
