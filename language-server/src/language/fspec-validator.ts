import { AstUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import * as ast from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import { majorVersion } from '../model/growth-rules.js';
import { closestName } from '../model/names.js';
import { unrealizedOutputs } from '../model/desires.js';
import { fitsType, literalValue, parseValueType } from '../model/field-values.js';
import { entitiesGuardedByGates, graphIndex, isGuardrailEnforced } from '../model/graph-index.js';
import { fieldDefaultText, sectionName } from '../model/spec-graph-builder.js';
import { elementId } from '../model/spec-graph.js';
import { namedElements } from './fspec-scope-computation.js';
import type { SpecGraphCache } from './spec-graph-cache.js';

/** Stable diagnostic codes: quick fixes, the CLI's output and the docs all use these. */
export const IssueCodes = {
    MissingIdentity: 'missing-identity',
    MissingPurpose: 'missing-purpose',
    DuplicatePurpose: 'duplicate-purpose',
    MissingBeneficiary: 'missing-beneficiary',
    DuplicateSection: 'duplicate-section',
    DuplicateName: 'duplicate-name',
    DuplicateClause: 'duplicate-clause',
    InvalidVersion: 'invalid-version',
    InvalidDefault: 'invalid-default',
    UnknownMorphKind: 'unknown-morph-kind',
    HighRiskWithoutTest: 'high-risk-without-test',
    HighRiskWithoutReview: 'high-risk-without-review',
    PlateWithoutRule: 'plate-without-rule',
    EnforcesOnStep: 'enforces-on-step',
    GateWithoutGuardrail: 'gate-without-guardrail',
    ActionWithoutPanel: 'action-without-panel',
    UnenforcedGuardrail: 'unenforced-guardrail',
    UnguardedProtectedField: 'unguarded-protected-field',
    DesireWithoutGoal: 'desire-without-goal',
    PendingDesire: 'pending-desire',
    UnknownCadence: 'unknown-cadence',
    LineageCycle: 'lineage-cycle',
    AmbiguousReference: 'ambiguous-reference',
    ApprovedVersionUnreadable: 'approved-version-unreadable',
    Drift: 'drift'
} as const;

export const knownCadences = ['realtime', 'hourly', 'daily', 'nightly', 'weekly', 'biweekly', 'monthly', 'quarterly', 'yearly', 'manual', 'on_demand'];

/**
 * Clauses that may appear once, by node type: the array property each is collected into, and its
 * keyword. The grammar lets them repeat (`+=`) so a second one is a located error, not a parse error;
 * everything else reads the first value.
 */
const singleClauses: { [T in keyof ast.FspecAstType]?: { [P in keyof ast.FspecAstType[T]]?: string } } = {
    Source: { tiers: 'tier', cadences: 'cadence', urls: 'url' },
    Step: { strategies: 'strategy' },
    Action: { panels: 'on', runs: 'runs' },
    MorphRule: { reviews: 'review' },
    LineageEntry: { parents: 'from' }
};

export function registerValidationChecks(services: FspecServices): void {
    const registry = services.validation.ValidationRegistry;
    const validator = services.validation.FspecValidator;
    const checks: ValidationChecks<ast.FspecAstType> = {
        Spec: [validator.checkSections, validator.checkUniqueNames, validator.checkVersion],
        Identity: validator.checkIdentity,
        Desire: validator.checkDesire,
        Source: [validator.checkSingleClauses, validator.checkSourceCadence],
        EvidencePolicy: validator.checkPolicy,
        Pipeline: validator.checkTriggers,
        Step: [validator.checkSingleClauses, validator.checkStep],
        Action: [validator.checkSingleClauses, validator.checkAction],
        Field: validator.checkFieldDefault,
        Panel: validator.checkProtectedFields,
        Guardrail: validator.checkGuardrailEnforced,
        Safety: validator.checkDisclaimers,
        Deployment: validator.checkDeployment,
        Schedule: validator.checkScheduleCadence,
        Plate: validator.checkElementReferences,
        Organ: validator.checkElementReferences,
        AcceptanceTest: validator.checkElementReferences,
        Heuristic: validator.checkElementReferences,
        MorphRule: validator.checkSingleClauses,
        LineageEntry: validator.checkSingleClauses
    };
    registry.register(checks, validator);
    const growth = services.validation.FspecGrowthValidator;
    const growthChecks: ValidationChecks<ast.FspecAstType> = {
        Spec: growth.checkAgainstApproved,
        Prohibition: growth.checkProhibition,
        Plate: growth.checkPlate,
        MorphRule: growth.checkMorphRule,
        LineageEntry: growth.checkLineageEntry
    };
    registry.register(growthChecks, growth);
    const drift = services.validation.FspecDriftValidator;
    registry.register<ast.FspecAstType>({ Spec: drift.checkDrift }, drift);
}

/** Checks of one spec's structure, names, values and flows. Growth checks are in fspec-growth-validator.ts. */
export class FspecValidator {
    private readonly graphs: SpecGraphCache;

    constructor(services: FspecServices) {
        this.graphs = services.model.SpecGraphs;
    }

    checkSections(spec: ast.Spec, accept: ValidationAcceptor): void {
        const seen = new Set<string>();
        for (const section of spec.sections) {
            const name = sectionName(section);
            if (seen.has(name)) {
                accept('error', `Section '${name}' appears more than once; merge it into the first one.`, { node: section, keyword: name, code: IssueCodes.DuplicateSection });
            }
            seen.add(name);
        }
        // A spec without a name did not parse: its parse error says what to fix first.
        if (!seen.has('identity') && spec.name) {
            accept('error', `Spec '${spec.name}' has no identity section: say what the app is for (purpose) and whom it serves (beneficiary).`,
                { node: spec, property: 'name', code: IssueCodes.MissingIdentity });
        }
    }

    checkUniqueNames(spec: ast.Spec, accept: ValidationAcceptor): void {
        const seen = new Set<string>();
        for (const [element, name] of namedElements(spec)) {
            // Steps and gates share one namespace per pipeline, stages and variants one per lineage.
            const key = ast.isStep(element) ? `step:${name}` : elementId(element);
            if (seen.has(key)) {
                accept('error', `Duplicate ${describeElement(element)}.`, { node: element, property: 'name', code: IssueCodes.DuplicateName });
            }
            seen.add(key);
        }
    }

    checkVersion(spec: ast.Spec, accept: ValidationAcceptor): void {
        if (spec.version !== undefined && majorVersion(spec.version) === undefined) {
            accept('error', `Version "${spec.version}" has no major number; write it like "0.2.0" so major evolves can be told apart.`,
                { node: spec, property: 'version', code: IssueCodes.InvalidVersion });
        }
    }

    /** A default is what stored records get when a growth adds the field, so it must fit the field's type by the Migrator's own rule. */
    checkFieldDefault(field: ast.Field, accept: ValidationAcceptor): void {
        const literal = field.default && fieldDefaultText(field.default);
        // The type as written, as the Compiler reads it: `int?`, `enum(open, closed)`, `Contract[]`.
        const typeText = field.type?.$cstNode?.text;
        const type = typeText === undefined ? undefined : parseValueType(typeText);
        if (literal !== undefined && type && !fitsType(literalValue(literal), type)) {
            accept('error', `Default ${literal} is not a value of type ${typeText}: stored records get it when a growth adds '${field.name}', and the Migrator would refuse it. Change the default or the type.`,
                { node: field, property: 'default', code: IssueCodes.InvalidDefault });
        }
    }

    checkIdentity(identity: ast.Identity, accept: ValidationAcceptor): void {
        if (identity.purposes.length === 0) {
            accept('error', 'Identity needs a purpose: `purpose "What this app is for"`.', { node: identity, keyword: 'identity', code: IssueCodes.MissingPurpose });
        }
        for (const extra of identity.purposes.slice(1)) {
            accept('error', 'Identity has one purpose; this second one would contradict the first.', { node: extra, code: IssueCodes.DuplicatePurpose });
        }
        if (identity.beneficiaries.length === 0) {
            accept('error', 'Identity needs at least one beneficiary: `beneficiary Name "who they are"`.', { node: identity, keyword: 'identity', code: IssueCodes.MissingBeneficiary });
        }
    }

    checkDesire(desire: ast.Desire, accept: ValidationAcceptor): void {
        if (desire.goals.length === 0) {
            accept('warning', `Desire '${desire.name}' has no goal: say what the user wants with \`goal "..."\`.`, { node: desire, property: 'name', code: IssueCodes.DesireWithoutGoal });
        }
        desire.cadences.forEach((cadence, index) => this.checkCadence(cadence, accept, { node: desire, property: 'cadences', index }));
        const node = desire.name ? graphIndex(this.graphs.of(desire)).nodes.get(elementId(desire)) : undefined;
        const pending = node ? unrealizedOutputs(this.graphs.of(desire), node) : [];
        if (pending.length) {
            accept('info', `Desire '${desire.name}' is not realized yet: nothing in the spec produces ${pending.map(o => `'${o}'`).join(', ')}.`,
                { node: desire, property: 'name', code: IssueCodes.PendingDesire, data: { outputs: pending } });
        }
    }

    checkSingleClauses(node: AstNode, accept: ValidationAcceptor): void {
        const clauses: Record<string, string> = singleClauses[node.$type as keyof ast.FspecAstType] ?? {};
        for (const [property, keyword] of Object.entries(clauses)) {
            this.checkOnce(node, property, keyword, accept);
        }
    }

    checkSourceCadence(source: ast.Source, accept: ValidationAcceptor): void {
        source.cadences.forEach((cadence, index) => this.checkCadence(cadence, accept, { node: source, property: 'cadences', index }));
    }

    checkPolicy(policy: ast.EvidencePolicy, accept: ValidationAcceptor): void {
        policy.cadences.forEach((cadence, index) => this.checkCadence(cadence, accept, { node: policy, property: 'cadences', index }));
        this.checkOnce(policy, 'cadences', 'cadence', accept);
        this.checkOnce(policy, 'minimumTiers', 'minimum_tier', accept);
    }

    checkTriggers(pipeline: ast.Pipeline, accept: ValidationAcceptor): void {
        for (const trigger of pipeline.triggers) {
            if (trigger.schedule) {
                this.checkCadence(trigger.schedule, accept, { node: trigger, property: 'schedule' });
            }
        }
    }

    checkDeployment(deployment: ast.Deployment, accept: ValidationAcceptor): void {
        deployment.cadences.forEach((cadence, index) => this.checkCadence(cadence, accept, { node: deployment, property: 'cadences', index }));
        this.checkOnce(deployment, 'cadences', 'cadence', accept);
        const scheduled = new Set<string>();
        for (const schedule of deployment.schedules) {
            const pipeline = schedule.pipeline?.$refText ?? '';
            if (scheduled.has(pipeline)) {
                accept('error', `Pipeline '${pipeline}' is scheduled twice; keep one schedule per pipeline.`, { node: schedule, property: 'pipeline', code: IssueCodes.DuplicateName });
            }
            scheduled.add(pipeline);
        }
        const retained = new Set<string>();
        for (const retention of deployment.retentions) {
            const entity = retention.entity?.$refText;
            if (retained.has(entity ?? '')) {
                accept('error', entity ? `Retention for '${entity}' is given twice.` : 'The default retention is given twice.',
                    { node: retention, keyword: 'retention', code: IssueCodes.DuplicateName });
            }
            retained.add(entity ?? '');
        }
    }

    /** Unnamed disclaimers are known by their text, so the same text twice is a duplicate. */
    checkDisclaimers(safety: ast.Safety, accept: ValidationAcceptor): void {
        const texts = new Set<string>();
        for (const disclaimer of safety.disclaimers.filter(d => !d.name)) {
            if (texts.has(disclaimer.text)) {
                accept('error', `Duplicate disclaimer "${disclaimer.text}".`, { node: disclaimer, property: 'text', code: IssueCodes.DuplicateName });
            }
            texts.add(disclaimer.text);
        }
    }

    /**
     * A name may be shared by elements of different kinds (kinds have separate namespaces) and a bare
     * step name by steps of different pipelines. Where a reference could mean several of them it
     * resolves to the first declaration, which may not be the one meant: say so.
     */
    checkElementReferences(node: ast.Organ | ast.AcceptanceTest | ast.Plate | ast.Heuristic, accept: ValidationAcceptor): void {
        const [property, keyword, references] = referencesToCheck(node);
        const named = this.elementsByName(AstUtils.findRootNode(node) as ast.Spec);
        references.forEach((reference, index) => {
            const target = reference.ref;
            const candidates = (named.get(reference.$refText) ?? []).filter(e => !ast.isHeuristic(node) || ast.isStep(e));
            if (!target || candidates.length < 2) {
                return;
            }
            const kinds = [...new Set(candidates.map(describeKind))];
            // One kind named twice and not all steps is a duplicate name, reported on its own.
            if (kinds.length === 1 && !candidates.every(ast.isStep)) {
                return;
            }
            // What is left of one kind named twice is a bare step name in several pipelines.
            const pipelineOf = (step: ast.Element) => (step as ast.Step).$container.name;
            const message = kinds.length > 1
                ? `'${reference.$refText}' names ${kinds.map(withArticle).join(' and ')}; \`${keyword}\` takes the ${describeKind(target)} declared first. Rename one to make this unambiguous.`
                : `'${reference.$refText}' names a step in ${candidates.map(c => `pipeline '${pipelineOf(c)}'`).join(' and in ')}; \`${keyword}\` takes the one in '${pipelineOf(target)}'. Qualify it as ${candidates.map(c => `${pipelineOf(c)}.${reference.$refText}`).join(' or ')}.`;
            const many = ast.isOrgan(node) || ast.isAcceptanceTest(node);
            accept('warning', message, { node, property, index: many ? index : undefined, code: IssueCodes.AmbiguousReference } as Parameters<ValidationAcceptor>[2]);
        });
    }

    private readonly elementsByNameCache = new WeakMap<ast.Spec, Map<string, ast.Element[]>>();

    /** For each name an element can be referenced by, the elements it names (steps under their bare and qualified names). */
    private elementsByName(spec: ast.Spec): Map<string, ast.Element[]> {
        let named = this.elementsByNameCache.get(spec);
        if (!named) {
            named = new Map();
            for (const [element, name] of namedElements(spec)) {
                for (const key of ast.isStep(element) ? [name, element.name] : [name]) {
                    named.set(key, [...(named.get(key) ?? []), element]);
                }
            }
            this.elementsByNameCache.set(spec, named);
        }
        return named;
    }

    /** Clauses kept as lists by the grammar that may still be written only once. */
    private checkOnce<N extends AstNode>(node: N, property: string, keyword: string, accept: ValidationAcceptor): void {
        const values = (node as unknown as Record<string, unknown[]>)[property] ?? [];
        for (let index = 1; index < values.length; index++) {
            accept('error', `'${keyword}' is given more than once; only one is allowed.`, { node, property, index, code: IssueCodes.DuplicateClause } as Parameters<ValidationAcceptor>[2]);
        }
    }

    checkScheduleCadence(schedule: ast.Schedule, accept: ValidationAcceptor): void {
        this.checkCadence(schedule.cadence, accept, { node: schedule, property: 'cadence' });
    }

    checkStep(step: ast.Step, accept: ValidationAcceptor): void {
        if (step.kind === 'step' && step.enforces.length > 0) {
            accept('error', `Step '${step.name}' cannot enforce a guardrail; only a gate blocks the flow. Write \`gate ${step.name}\`.`,
                { node: step, keyword: 'enforces', code: IssueCodes.EnforcesOnStep });
        }
        if (step.kind === 'gate' && step.enforces.length === 0) {
            accept('warning', `Gate '${step.name}' enforces no guardrail; say which with \`enforces <guardrail>\`.`,
                { node: step, property: 'name', code: IssueCodes.GateWithoutGuardrail });
        }
    }

    checkAction(action: ast.Action, accept: ValidationAcceptor): void {
        if (action.panels.length === 0) {
            accept('error', `Action '${action.name}' is on no panel; add \`on <panel>\`.`, { node: action, property: 'name', code: IssueCodes.ActionWithoutPanel });
        }
    }

    /** A pii/phi field shown on a panel needs a gate somewhere in the flow of its entity. */
    checkProtectedFields(panel: ast.Panel, accept: ValidationAcceptor): void {
        const guarded = entitiesGuardedByGates(this.graphs.of(panel));
        panel.shows.forEach((shown, index) => {
            const target = shown.ref;
            if (!target) {
                return;
            }
            const entity = ast.isField(target) ? target.$container : target;
            const protectedFields = (ast.isField(target) ? [target] : target.fields).filter(f => f.flags.length > 0);
            if (protectedFields.length === 0 || guarded.has(elementId(entity))) {
                return;
            }
            const list = protectedFields.map(f => `${entity.name}.${f.name} (${f.flags.join(', ')})`).join(', ');
            accept('warning', `Panel '${panel.name}' shows ${list}, but no gate guards the flow of ${entity.name}: add a gate to a pipeline that reads or outputs ${entity.name}.`,
                { node: panel, property: 'shows', index, code: IssueCodes.UnguardedProtectedField });
        });
    }

    checkGuardrailEnforced(guardrail: ast.Guardrail, accept: ValidationAcceptor): void {
        if (guardrail.name && !isGuardrailEnforced(this.graphs.of(guardrail), elementId(guardrail))) {
            accept('warning', `Guardrail '${guardrail.name}' is neither enforced by a gate nor covered by an acceptance test.`,
                { node: guardrail, property: 'name', code: IssueCodes.UnenforcedGuardrail });
        }
    }

    private checkCadence<N extends AstNode>(cadence: string | undefined, accept: ValidationAcceptor, where: { node: N, property: string, index?: number }): void {
        if (cadence !== undefined && !knownCadences.includes(cadence)) {
            const suggestion = closestName(cadence, knownCadences);
            accept('warning', `Unknown cadence '${cadence}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Known: ${knownCadences.join(', ')}.`,
                { ...where, code: IssueCodes.UnknownCadence } as Parameters<ValidationAcceptor>[2]);
        }
    }
}

/** What kind of element this is, in words: `step`, `gate`, `acceptance test`. */
export function describeKind(element: ast.Element): string {
    switch (element.$type) {
        case 'Step': return element.kind;
        case 'AcceptanceTest': return 'acceptance test';
        case 'MorphRule': return 'morph rule';
        case 'LineageEntry': return element.kind;
        default: return element.$type.toLowerCase();
    }
}

function describeElement(element: ast.Element): string {
    switch (element.$type) {
        case 'Step': return `step or gate '${element.name}' in pipeline '${element.$container.name}'`;
        case 'Field': return `field '${element.name}' in entity '${element.$container.name}'`;
        case 'LineageEntry': return `lineage stage '${element.name}'`;
        default: return `${describeKind(element)} '${element.name}'`;
    }
}

/** The property, its keyword, and the references of the clauses that may reach more than one element. */
function referencesToCheck(node: ast.Organ | ast.AcceptanceTest | ast.Plate | ast.Heuristic): [string, string, Array<{ ref?: ast.Element, $refText: string }>] {
    switch (node.$type) {
        case 'Organ': return ['members', 'includes', node.members];
        case 'AcceptanceTest': return ['covers', 'covers', node.covers];
        case 'Plate': return ['at', 'at', node.at ? [node.at] : []];
        case 'Heuristic': return ['target', 'on', node.target ? [node.target] : []];
    }
}

function withArticle(noun: string): string {
    return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}
