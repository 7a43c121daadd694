import type { NodeKind, SourceRange } from './spec-graph.js';

/** How an element differs between two versions. */
export type ChangeKind = 'add' | 'remove' | 'rename' | 'change' | 'reorder';

/** One classified change between two versions of a spec: the unit growth plates accept and morph rules govern. */
export interface Morph {
    kind: MorphKind;
    change: ChangeKind;
    /** Kind of the element that changed. */
    element: NodeKind;
    /** Graph id of the element: in the new version, or in the old one when it was removed. */
    target: string;
    /** For a rename: the element's id in the old version. */
    previous?: string;
    /** Readable summary, e.g. `step 'invoices' removed from pipeline 'contract_allocation'`. */
    detail: string;
    /** The target and its ancestors in the new version, nearest first; plates match against this. */
    scope: string[];
    /** Where the change is in the new text (for a removal: the nearest surviving container). */
    range?: SourceRange;
}

interface MorphFamily { add: MorphKind; remove: MorphKind; rename: MorphKind; change: MorphKind }

function family(add: MorphKind, remove: MorphKind, rename: MorphKind, change: MorphKind): MorphFamily {
    return { add, remove, rename, change };
}

/**
 * Every morph kind, with what it means. Governed morphs must be accepted by a growth plate and
 * defined by a morph rule; the others are edits of the developmental spec itself, of the user's
 * desires, or of labels, and are reported but need no rule. Identity changes are judged by the
 * identity invariants instead.
 */
export const morphCatalogue = {
    add_source: { governed: true, summary: 'add an evidence source' },
    remove_source: { governed: true, summary: 'remove an evidence source' },
    rename_source: { governed: true, summary: 'rename an evidence source' },
    change_source: { governed: true, summary: 'change a source\'s tier, cadence, url or provided entities' },
    change_evidence_policy: { governed: true, summary: 'change the policy-wide cadence or minimum tier' },
    add_entity: { governed: true, summary: 'add a data contract entity' },
    remove_entity: { governed: true, summary: 'remove a data contract entity' },
    rename_entity: { governed: true, summary: 'rename an entity, keeping its fields' },
    add_field: { governed: true, summary: 'add a field to an entity' },
    remove_field: { governed: true, summary: 'remove a field from an entity' },
    rename_field: { governed: true, summary: 'rename a field, keeping its type' },
    change_field_type: { governed: true, summary: 'change a field\'s type, cardinality or optionality' },
    change_field_protection: { governed: true, summary: 'add or drop a pii/phi flag' },
    add_pipeline: { governed: true, summary: 'add a pipeline' },
    remove_pipeline: { governed: true, summary: 'remove a pipeline' },
    rename_pipeline: { governed: true, summary: 'rename a pipeline, keeping its steps' },
    change_trigger: { governed: true, summary: 'change what triggers a pipeline' },
    add_step: { governed: true, summary: 'add a step to a pipeline' },
    remove_step: { governed: true, summary: 'remove a step from a pipeline' },
    rename_step: { governed: true, summary: 'rename a step, keeping what it does' },
    rewire_step: { governed: true, summary: 'change what a step or gate reads or outputs' },
    swap_allocator: { governed: true, summary: 'swap the strategy of a step (the allocator)' },
    reorder_steps: { governed: true, summary: 'change the order of a pipeline\'s steps' },
    insert_gate: { governed: true, summary: 'insert a gate into a pipeline' },
    remove_gate: { governed: true, summary: 'remove a gate from a pipeline' },
    rename_gate: { governed: true, summary: 'rename a gate, keeping what it enforces' },
    change_gate: { governed: true, summary: 'change which guardrails a gate enforces' },
    add_role: { governed: true, summary: 'add a user role' },
    remove_role: { governed: true, summary: 'remove a user role' },
    rename_role: { governed: true, summary: 'rename a user role' },
    add_surface: { governed: true, summary: 'add a panel to the interface' },
    remove_surface: { governed: true, summary: 'remove a panel' },
    rename_surface: { governed: true, summary: 'rename a panel' },
    change_surface: { governed: true, summary: 'change what a panel shows or for whom' },
    add_action: { governed: true, summary: 'add an action' },
    remove_action: { governed: true, summary: 'remove an action' },
    rename_action: { governed: true, summary: 'rename an action' },
    change_action: { governed: true, summary: 'change an action\'s panel, pipeline or roles' },
    add_guardrail: { governed: true, summary: 'add a guardrail' },
    remove_guardrail: { governed: true, summary: 'remove a guardrail' },
    rename_guardrail: { governed: true, summary: 'rename a guardrail' },
    change_guardrail: { governed: true, summary: 'change a guardrail\'s wording' },
    add_disclaimer: { governed: true, summary: 'add a disclaimer' },
    remove_disclaimer: { governed: true, summary: 'remove a disclaimer' },
    change_disclaimer: { governed: true, summary: 'change a disclaimer' },
    tune_personalization: { governed: true, summary: 'add, remove or change a preference or heuristic' },
    change_deployment: { governed: true, summary: 'change devices, cadence, schedules or retention' },
    identity_change: { governed: false, summary: 'change purpose, beneficiaries, envelope or prohibitions (major evolve only)' },
    add_desire: { governed: false, summary: 'add a desire' },
    remove_desire: { governed: false, summary: 'remove a desire' },
    change_desire: { governed: false, summary: 'change or rename a desire' },
    add_test: { governed: false, summary: 'add an acceptance test' },
    remove_test: { governed: true, summary: 'remove an acceptance test' },
    rename_test: { governed: false, summary: 'rename an acceptance test' },
    change_test: { governed: false, summary: 'change an acceptance test\'s wording or coverage' },
    reorganize: { governed: false, summary: 'change organs' },
    amend_plates: { governed: false, summary: 'change growth plates' },
    amend_rules: { governed: false, summary: 'change morph rules' },
    record_lineage: { governed: false, summary: 'record stages and variants in the lineage' },
    relabel: { governed: false, summary: 'change a title or description only' }
} as const satisfies Record<string, { governed: boolean, summary: string }>;

export type MorphKind = keyof typeof morphCatalogue;

export const morphKinds = Object.keys(morphCatalogue) as MorphKind[];

export function isMorphKind(name: string): name is MorphKind {
    return Object.hasOwn(morphCatalogue, name);
}

export function isGoverned(kind: MorphKind): boolean {
    return morphCatalogue[kind].governed;
}

/** Which morph an addition, removal, rename or change of each kind of element is. */
export const morphFamilies: Partial<Record<NodeKind, MorphFamily>> = {
    source: family('add_source', 'remove_source', 'rename_source', 'change_source'),
    policy: family('change_evidence_policy', 'change_evidence_policy', 'change_evidence_policy', 'change_evidence_policy'),
    entity: family('add_entity', 'remove_entity', 'rename_entity', 'relabel'),
    field: family('add_field', 'remove_field', 'rename_field', 'change_field_type'),
    pipeline: family('add_pipeline', 'remove_pipeline', 'rename_pipeline', 'change_trigger'),
    step: family('add_step', 'remove_step', 'rename_step', 'rewire_step'),
    gate: family('insert_gate', 'remove_gate', 'rename_gate', 'change_gate'),
    role: family('add_role', 'remove_role', 'rename_role', 'relabel'),
    panel: family('add_surface', 'remove_surface', 'rename_surface', 'change_surface'),
    action: family('add_action', 'remove_action', 'rename_action', 'change_action'),
    guardrail: family('add_guardrail', 'remove_guardrail', 'rename_guardrail', 'change_guardrail'),
    disclaimer: family('add_disclaimer', 'remove_disclaimer', 'change_disclaimer', 'change_disclaimer'),
    preference: family('tune_personalization', 'tune_personalization', 'tune_personalization', 'tune_personalization'),
    heuristic: family('tune_personalization', 'tune_personalization', 'tune_personalization', 'tune_personalization'),
    deployment: family('change_deployment', 'change_deployment', 'change_deployment', 'change_deployment'),
    schedule: family('change_deployment', 'change_deployment', 'change_deployment', 'change_deployment'),
    retention: family('change_deployment', 'change_deployment', 'change_deployment', 'change_deployment'),
    purpose: family('identity_change', 'identity_change', 'identity_change', 'identity_change'),
    beneficiary: family('identity_change', 'identity_change', 'identity_change', 'identity_change'),
    envelope: family('identity_change', 'identity_change', 'identity_change', 'identity_change'),
    prohibition: family('identity_change', 'identity_change', 'identity_change', 'identity_change'),
    desire: family('add_desire', 'remove_desire', 'change_desire', 'change_desire'),
    test: family('add_test', 'remove_test', 'rename_test', 'change_test'),
    organ: family('reorganize', 'reorganize', 'reorganize', 'reorganize'),
    plate: family('amend_plates', 'amend_plates', 'amend_plates', 'amend_plates'),
    rule: family('amend_rules', 'amend_rules', 'amend_rules', 'amend_rules'),
    stage: family('record_lineage', 'record_lineage', 'record_lineage', 'record_lineage')
};

/**
 * Changes of particular attributes that are a more specific morph than the family's `change`.
 * Keys are `kind.attribute` (attributes and edge kinds share names in the graph).
 */
export const attributeMorphs: Record<string, MorphKind> = {
    'step.strategy': 'swap_allocator',
    'gate.strategy': 'swap_allocator',
    'gate.reads': 'rewire_step',
    'gate.outputs': 'rewire_step',
    'field.pii': 'change_field_protection',
    'field.phi': 'change_field_protection'
};

/** Attributes that only label an element: a change there is a `relabel`, and renames ignore them. */
export const labelAttributes: ReadonlySet<string> = new Set(['title', 'description']);
