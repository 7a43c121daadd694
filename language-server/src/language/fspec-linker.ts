import { DefaultLinker, type AstNodeDescription, type LangiumCoreServices, type LinkingError, type ReferenceInfo } from 'langium';
import { isFieldType } from '../generated/ast.js';
import { closestName } from '../model/names.js';
import { ruleKeywords } from './grammar-keywords.js';

/** Readable names for reference targets, used in linking errors. */
const targetNames: Record<string, string> = {
    AcceptanceTest: 'acceptance test',
    Beneficiary: 'beneficiary',
    Element: 'element',
    Entity: 'entity',
    Guardrail: 'guardrail',
    LineageEntry: 'lineage stage',
    Panel: 'panel',
    Pipeline: 'pipeline',
    Role: 'role',
    Showable: 'entity or field',
    Step: 'step'
};

/** Linking errors that name what was expected and suggest the closest existing name. */
export class FspecLinker extends DefaultLinker {
    /** Field types that are not entities, read from the grammar's PrimitiveType rule. */
    private readonly primitiveTypes: string[];

    constructor(services: LangiumCoreServices) {
        super(services);
        this.primitiveTypes = ruleKeywords(services.Grammar, 'PrimitiveType');
    }

    protected override createLinkingError(refInfo: ReferenceInfo, targetDescription?: AstNodeDescription): LinkingError {
        const error = super.createLinkingError(refInfo, targetDescription);
        const referenceType = this.reflection.getReferenceType(refInfo);
        const text = refInfo.reference.$refText;
        const candidates = this.scopeProvider.getScope(refInfo).getAllElements().map(d => d.name).toArray();
        if (isFieldType(refInfo.container)) {
            const suggestion = closestName(text, [...this.primitiveTypes, ...candidates]);
            error.message = `Unknown type '${text}': neither a primitive type (${this.primitiveTypes.join(', ')}) nor an entity.`
                + (suggestion ? ` Did you mean '${suggestion}'?` : '');
            return error;
        }
        const suggestion = closestName(text, candidates);
        const what = targetNames[referenceType] ?? referenceType;
        error.message = `Unknown ${what} '${text}'.` + (suggestion ? ` Did you mean '${suggestion}'?` : '');
        return error;
    }
}
