// pi-ai's `Type` is TypeBox's, re-exported; importing it from TypeBox keeps the provider SDKs out of offline bundles.
import { Type, type Static } from 'typebox';

/**
 * The crew's typed contracts: what each role receives and returns, as TypeBox schemas (pi-ai's
 * `Type`). The offline roles produce these types directly; an LLM fills the same schemas and its
 * output is validated against them before any other role sees it.
 */

const Name = (description: string) => Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description });
const Names = (description: string) => Type.Array(Name(description));
const FieldType = Type.String({ description: 'A field type as written in the spec, e.g. string, int?, enum(open, closed), Contract[]' });
const Reason = Type.Optional(Type.String({ description: 'Why this morph serves the desire, in one sentence' }));

/** A desire the spec does not realize yet, as the Planner receives it (the seed's `new_desires`). */
export const NewDesireSchema = Type.Object({
    name: Name('The desire\'s name in the spec'),
    goal: Type.Optional(Type.String()),
    constraints: Type.Array(Type.String()),
    trusted_sources: Type.Array(Type.String()),
    outputs: Type.Array(Type.String()),
    cadence: Type.Optional(Type.String())
});
export type NewDesire = Static<typeof NewDesireSchema>;

export const PlannerInputSchema = Type.Object({
    /** A content hash of the normalized spec graph the plan is made against. */
    spec_graph_id: Type.String(),
    new_desires: Type.Array(NewDesireSchema)
});
export type PlannerInput = Static<typeof PlannerInputSchema>;

/**
 * One proposed morph, concrete enough for the Compiler to write it into the spec. `type` is a
 * morph kind of the catalogue (model/morphs.ts); names refer to elements of the spec.
 */
export const MorphProposalSchema = Type.Union([
    Type.Object({
        type: Type.Literal('add_source'), name: Name('New source name'), title: Type.Optional(Type.String()),
        tier: Type.Optional(Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')])),
        cadence: Type.Optional(Type.String()), provides: Type.Optional(Names('Entities the source provides')), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('insert_gate'), pipeline: Name('Pipeline to insert into'), name: Name('New gate name'),
        after: Type.Optional(Name('Step the gate follows; first in the pipeline when absent')),
        enforces: Names('Guardrails the gate enforces'), reads: Type.Optional(Names('Entities the gate reads')),
        title: Type.Optional(Type.String()), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('add_step'), pipeline: Name('Pipeline to add to'), name: Name('New step name'),
        after: Type.Optional(Name('Step the new one follows; last when absent')), title: Type.Optional(Type.String()),
        reads: Type.Optional(Names('Entities the step reads')), outputs: Type.Optional(Names('Entities the step outputs')),
        strategy: Type.Optional(Name('Strategy name')), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('swap_allocator'), pipeline: Name('Pipeline'), step: Name('Step whose strategy changes'),
        strategy: Name('New strategy'), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('add_surface'), name: Name('New panel name'), title: Type.Optional(Type.String()),
        shows: Names('Entities the panel shows'), for: Type.Optional(Names('Roles the panel is for')), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('add_entity'), name: Name('New entity name'), title: Type.Optional(Type.String()),
        fields: Type.Array(Type.Object({ name: Name('Field name'), type: FieldType })),
        reason: Reason
    }),
    Type.Object({
        type: Type.Literal('add_field'), entity: Name('Entity to add the field to'), name: Name('New field name'),
        field_type: FieldType,
        default: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
            description: 'The value stored records get; required for a field that is not optional (?) when the entity has stored records'
        })),
        reason: Reason
    }),
    Type.Object({
        type: Type.Literal('rename_field'), entity: Name('Entity of the field'), from: Name('Current field name'), to: Name('New field name'), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('change_field_type'), entity: Name('Entity of the field'), name: Name('Field whose type changes'), field_type: FieldType,
        converter: Type.Optional(Type.String({ description: 'How stored values convert where a type pair has several ways, e.g. round or truncate for number → int' })),
        reason: Reason
    }),
    Type.Object({
        type: Type.Literal('add_guardrail'), name: Name('New guardrail name'), text: Type.String({ description: 'What must never happen' }), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('add_test'), name: Name('New acceptance test name'), text: Type.String({ description: 'What must hold' }),
        covers: Names('Elements the test covers'), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('change_purpose'), text: Type.String({ description: 'The new purpose' }), reason: Reason
    }),
    Type.Object({
        type: Type.Literal('remove_beneficiary'), name: Name('Beneficiary to remove'), reason: Reason
    })
]);
export type MorphProposal = Static<typeof MorphProposalSchema>;
export type MorphProposalType = MorphProposal['type'];

/** The Planner's answer, the Compiler's input: the seed's `{ morphs, tests }`. */
export const PlannerOutputSchema = Type.Object({
    morphs: Type.Array(MorphProposalSchema),
    /** Names of the acceptance tests that must pass after the growth. */
    tests: Type.Array(Type.String())
});
export type PlannerOutput = Static<typeof PlannerOutputSchema>;

/** The Toolsmith's answer when a model writes a step's body. */
export const ToolsmithBodySchema = Type.Object({
    summary: Type.String({ description: 'What the body does, in one sentence' }),
    code: Type.String({ description: 'The statements of the function body only (no signature, no imports), ending in a return of the declared output' })
});
