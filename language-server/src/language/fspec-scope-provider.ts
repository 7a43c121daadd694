import {
    AstUtils, DefaultScopeProvider, EMPTY_SCOPE, stream,
    type AstNodeDescription, type LocalSymbols, type ReferenceInfo, type Scope, type Stream
} from 'langium';

/**
 * Resolves every reference against one hash map per (document symbols, target type), so linking
 * a large spec stays linear instead of scanning the symbol list per reference. One file is one
 * app: references never reach into another spec of the workspace.
 */
export class FspecScopeProvider extends DefaultScopeProvider {
    private readonly maps = new WeakMap<LocalSymbols, Map<string, Map<string, AstNodeDescription>>>();

    override getScope(context: ReferenceInfo): Scope {
        const referenceType = this.reflection.getReferenceType(context);
        const document = AstUtils.getDocument(context.container);
        const symbols = document.localSymbols;
        const root = document.parseResult.value;
        if (!symbols?.has(root)) {
            return EMPTY_SCOPE;
        }
        let byType = this.maps.get(symbols);
        if (!byType) {
            byType = new Map();
            this.maps.set(symbols, byType);
        }
        let names = byType.get(referenceType);
        if (!names) {
            names = new Map();
            for (const description of symbols.getStream(root)) {
                // The first declaration of a name wins; duplicates are reported by the validator.
                if (!names.has(description.name) && this.reflection.isSubtype(description.type, referenceType)) {
                    names.set(description.name, description);
                }
            }
            byType.set(referenceType, names);
        }
        return new HashedScope(names);
    }
}

class HashedScope implements Scope {
    constructor(private readonly names: Map<string, AstNodeDescription>) {}

    getElement(name: string): AstNodeDescription | undefined {
        return this.names.get(name);
    }

    getElements(name: string): Stream<AstNodeDescription> {
        const local = this.names.get(name);
        return stream(local ? [local] : []);
    }

    getAllElements(): Stream<AstNodeDescription> {
        return stream(this.names.values());
    }
}
