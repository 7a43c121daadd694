import {
    AstUtils, DefaultScopeComputation, interruptAndCheck, MultiMap,
    type AstNodeDescription, type LangiumDocument, type LocalSymbols
} from 'langium';
import { CancellationToken } from 'vscode-languageserver';
import { isElement, isField, isSpec, isStep, type Element, type Spec } from '../generated/ast.js';

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

/** Every named element of a spec with the name it is referenced by (qualified for steps and fields). */
export function* namedElements(spec: Spec): Generator<[Element, string]> {
    for (const node of AstUtils.streamAllContents(spec)) {
        if (!isElement(node) || !node.name) {
            continue;
        }
        if (isStep(node) || isField(node)) {
            const owner = node.$container;
            if (owner.name) {
                yield [node, `${owner.name}.${node.name}`];
            }
        } else {
            yield [node, node.name];
        }
    }
}
