import {
    DefaultScopeComputation, interruptAndCheck, MultiMap,
    type AstNodeDescription, type LangiumDocument, type LocalSymbols
} from 'langium';
import { CancellationToken } from 'vscode-languageserver';
import { isEntity, isPipeline, isSpec, isStep, type Element, type Section, type Spec } from '../generated/ast.js';

/**
 * One file is one app, so every named element is visible from anywhere in its spec:
 * all of them are registered as local symbols of the root `spec` node.
 * Steps are visible both bare (`phi_gate`) and qualified (`contract_allocation.phi_gate`);
 * fields only qualified (`SprayEvent.phi_days`), since field names repeat across entities.
 * The spec and its elements are exported as `Spec.element` for workspace-wide lookups.
 */
export class FspecScopeComputation extends DefaultScopeComputation {

    override async collectExportedSymbols(document: LangiumDocument, cancelToken = CancellationToken.None): Promise<AstNodeDescription[]> {
        const spec = document.parseResult.value;
        if (!isSpec(spec) || !spec.name) {
            return [];
        }
        const exports = [this.descriptions.createDescription(spec, spec.name, document)];
        for (const [element, name] of namedElements(spec)) {
            await interruptAndCheck(cancelToken);
            exports.push(this.descriptions.createDescription(element, `${spec.name}.${name}`, document));
        }
        return exports;
    }

    override async collectLocalSymbols(document: LangiumDocument, cancelToken = CancellationToken.None): Promise<LocalSymbols> {
        const symbols = new MultiMap<Spec, AstNodeDescription>();
        const spec = document.parseResult.value;
        if (!isSpec(spec)) {
            return symbols;
        }
        for (const [element, name] of namedElements(spec)) {
            await interruptAndCheck(cancelToken);
            symbols.add(spec, this.descriptions.createDescription(element, name, document));
            if (isStep(element)) {
                symbols.add(spec, this.descriptions.createDescription(element, element.name, document));
            }
        }
        return symbols;
    }
}

/**
 * Every named element of a spec with the name it is referenced by (qualified for steps and fields),
 * in document order. Elements sit at known places, so this walks them directly rather than every node.
 */
export function* namedElements(spec: Spec): Generator<[Element, string]> {
    for (const section of spec.sections) {
        for (const element of sectionElements(section)) {
            if (element.name) {
                yield [element, element.name];
            }
            const children: Element[] = isEntity(element) ? element.fields : isPipeline(element) ? element.steps : [];
            for (const child of children) {
                if (child.name && element.name) {
                    yield [child, `${element.name}.${child.name}`];
                }
            }
        }
    }
}

function sectionElements(section: Section): Element[] {
    switch (section.$type) {
        case 'Identity': return section.beneficiaries;
        case 'Desires': return section.desires;
        case 'EvidencePolicy': return section.sources;
        case 'DataContracts': return section.entities;
        case 'Workflows': return section.pipelines;
        case 'Interface': return inTextOrder(section.roles, section.panels, section.actions);
        case 'Safety': return inTextOrder(section.guardrails, section.disclaimers);
        case 'Personalization': return inTextOrder(section.preferences, section.heuristics);
        case 'Deployment': return [];
        case 'Organs': return section.organs;
        case 'GrowthPlates': return section.plates;
        case 'MorphRules': return section.rules;
        case 'Acceptance': return section.tests;
        case 'Lineage': return section.entries;
    }
}

/** Elements of a section kept in several lists, back in the order they are written ("declared first" depends on it). */
function inTextOrder(...lists: Element[][]): Element[] {
    return lists.flat().sort((a, b) => (a.$cstNode?.offset ?? 0) - (b.$cstNode?.offset ?? 0));
}
