import { AstUtils, CstUtils, isCompositeCstNode, isLeafCstNode, isReference, type AstNode, type CstNode, type Reference } from 'langium';
import {
    AbstractSemanticTokenProvider, AllSemanticTokenModifiers, AllSemanticTokenTypes, type SemanticTokenAcceptor
} from 'langium/lsp';
import { SemanticTokenModifiers as Mod, SemanticTokenTypes as Type, type CancellationToken } from 'vscode-languageserver';
import type { LangiumDocument } from 'langium';
import * as ast from '../generated/ast.js';
import { sectionName } from '../model/spec-graph-builder.js';

/**
 * Modifiers beyond the LSP standard ones, appended to Langium's legend (so standard indices stay put):
 * `gate` marks gate steps, `riskLow`/`riskMedium`/`riskHigh` the risk level of a morph rule.
 * A theme can colour them as e.g. `function.gate` or `enumMember.riskHigh`.
 */
export const FspecTokenModifiers = { gate: 'gate', riskLow: 'riskLow', riskMedium: 'riskMedium', riskHigh: 'riskHigh' } as const;

const customModifierBits = Object.fromEntries(
    Object.values(FspecTokenModifiers).map((name, i) => [name, 1 << (Object.keys(AllSemanticTokenModifiers).length + i)]));

/**
 * The token type of each kind of element, at its declaration (with `declaration`) and at every
 * reference to it. All are standard LSP types, chosen by what the element is to the app:
 *
 * | element | type | why |
 * |---|---|---|
 * | spec, pipeline, organ | namespace | containers of other elements (a section keyword is `namespace` + `defaultLibrary`) |
 * | beneficiary | variable + readonly | who the app serves; identity never changes by ordinary growth |
 * | desire | struct | a record of goals, constraints and outputs |
 * | source | variable | a named input of evidence |
 * | entity / field | class / property | data contracts are records with fields |
 * | step / gate | function / function + `gate` | the units of work of a pipeline |
 * | role | type | the kind of user a panel or action is for |
 * | panel | interface | a surface of the app's interface |
 * | action | event | something a user does that runs a pipeline |
 * | guardrail, disclaimer | decorator | constraints attached to steps and panels |
 * | preference, heuristic | parameter | knobs that tune behaviour per user |
 * | plate | typeParameter | the place where the app may vary |
 * | morph rule, morph kind | macro | a morph is a rewrite of the spec; a rule's name is its morph kind |
 * | acceptance test | method | an executable check |
 * | stage, variant | label | a named version in the lineage |
 *
 * Values: primitive types are `type` + `defaultLibrary`, enum values, cadences, tiers, reviews,
 * duration units and risk levels are `enumMember` (risk with a `risk*` modifier), `pii`/`phi` are
 * `modifier`, strings `string`, retention amounts `number`. Clause keywords and comments are
 * left to the TextMate grammar.
 */
const elementTypes: Record<ast.Element['$type'] | 'Spec', string> = {
    Spec: Type.namespace, Pipeline: Type.namespace, Organ: Type.namespace,
    Beneficiary: Type.variable, Source: Type.variable, Desire: Type.struct,
    Entity: Type.class, Field: Type.property, Step: Type.function,
    Role: Type.type, Panel: Type.interface, Action: Type.event,
    Guardrail: Type.decorator, Disclaimer: Type.decorator, Preference: Type.parameter, Heuristic: Type.parameter,
    Plate: Type.typeParameter, MorphRule: Type.macro, AcceptanceTest: Type.method, LineageEntry: Type.label
};

const riskModifiers: Record<string, string> = { low: FspecTokenModifiers.riskLow, medium: FspecTokenModifiers.riskMedium, high: FspecTokenModifiers.riskHigh };

export class FspecSemanticTokenProvider extends AbstractSemanticTokenProvider {

    override get tokenTypes(): Record<string, number> {
        // `label` (LSP 3.18, and a standard VS Code token type) is not in Langium's default legend.
        return { ...AllSemanticTokenTypes, [Type.label]: Object.keys(AllSemanticTokenTypes).length };
    }

    override get tokenModifiers(): Record<string, number> {
        return { ...AllSemanticTokenModifiers, ...customModifierBits };
    }

    protected override async computeHighlighting(document: LangiumDocument, acceptor: SemanticTokenAcceptor, cancelToken: CancellationToken): Promise<void> {
        await super.computeHighlighting(document, acceptor, cancelToken);
        // Literals are found by token, wherever the grammar puts them.
        const root = document.parseResult.value.$cstNode;
        for (const leaf of root ? CstUtils.flattenCst(root) : []) {
            if (leaf.tokenType.name === 'STRING') {
                acceptor({ cst: leaf, type: Type.string });
            } else if (leaf.tokenType.name === 'INT') {
                acceptor({ cst: leaf, type: Type.number });
            }
        }
    }

    protected override highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        if (ast.isSection(node)) {
            acceptor({ node, keyword: sectionName(node), type: Type.namespace, modifier: Mod.defaultLibrary });
        }
        if (ast.isSpec(node) || ast.isElement(node)) {
            if (node.name) {
                acceptor({ node, property: 'name', type: elementTypes[node.$type], modifier: [Mod.declaration, ...elementModifiers(node)] });
            }
        }
        for (const { reference } of AstUtils.streamReferences(node)) {
            if (isReference(reference)) {
                this.highlightReference(reference, acceptor);
            }
        }
        this.highlightValues(node, acceptor);
    }

    /** A reference gets its target's type; in `owner.name`, the owner part gets the owner's type. */
    private highlightReference(reference: Reference, acceptor: SemanticTokenAcceptor): void {
        const target = reference.ref;
        const refNode = reference.$refNode;
        if (!target || !refNode || !(ast.isElement(target) || ast.isSpec(target))) {
            return; // unresolved: the validator already marks it
        }
        const segments = nameSegments(refNode);
        const last = segments.pop();
        const owner = ast.isStep(target) || ast.isField(target) ? target.$container : undefined;
        for (const segment of owner ? segments : []) {
            acceptor({ cst: segment, type: elementTypes[owner!.$type] });
        }
        acceptor({ cst: last ?? refNode, type: elementTypes[target.$type], modifier: elementModifiers(target) });
    }

    private highlightValues(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        const enumMember = Type.enumMember, morphKind = Type.macro;
        if (ast.isFieldType(node)) {
            acceptor({ node, property: 'primitive', type: Type.type, modifier: Mod.defaultLibrary });
            acceptor({ node, property: 'values', type: enumMember });
        } else if (ast.isField(node)) {
            acceptor({ node, property: 'flags', type: Type.modifier });
        } else if (ast.isMorphRule(node)) {
            acceptor({ node, property: 'risk', type: enumMember, modifier: riskModifiers[node.risk] });
            acceptor({ node, property: 'reviews', type: enumMember });
        } else if (ast.isSource(node)) {
            acceptor({ node, property: 'tiers', type: enumMember });
            acceptor({ node, property: 'cadences', type: enumMember });
        } else if (ast.isEvidencePolicy(node)) {
            acceptor({ node, property: 'minimumTiers', type: enumMember });
            acceptor({ node, property: 'cadences', type: enumMember });
        } else if (ast.isDesire(node) || ast.isDeployment(node)) {
            acceptor({ node, property: 'cadences', type: enumMember });
        } else if (ast.isSchedule(node)) {
            acceptor({ node, property: 'cadence', type: enumMember });
        } else if (ast.isTrigger(node)) {
            acceptor({ node, property: 'schedule', type: enumMember });
        } else if (ast.isRetention(node)) {
            acceptor({ node, property: 'unit', type: enumMember });
        } else if (ast.isPlate(node)) {
            acceptor({ node, property: 'accepts', type: morphKind });
        } else if (ast.isProhibition(node)) {
            acceptor({ node, property: 'morph', type: morphKind });
        } else if (ast.isAppliedMorph(node)) {
            acceptor({ node, property: 'kind', type: morphKind });
        }
    }
}

function elementModifiers(element: ast.Element | ast.Spec): string[] {
    if (ast.isBeneficiary(element)) {
        return [Mod.readonly];
    }
    return ast.isStep(element) && element.kind === 'gate' ? [FspecTokenModifiers.gate] : [];
}

/** The name tokens of a (possibly qualified) reference, without the dots. */
function nameSegments(refNode: CstNode): CstNode[] {
    if (!isCompositeCstNode(refNode)) {
        return [refNode];
    }
    return CstUtils.flattenCst(refNode).filter(leaf => isLeafCstNode(leaf) && !leaf.hidden && leaf.text !== '.').toArray();
}
