import { DefaultLinker, type AstNodeDescription, type LinkingError, type ReferenceInfo } from 'langium';
import { closestName } from '../model/names.js';

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
    protected override createLinkingError(refInfo: ReferenceInfo, targetDescription?: AstNodeDescription): LinkingError {
        const error = super.createLinkingError(refInfo, targetDescription);
        const referenceType = this.reflection.getReferenceType(refInfo);
        const text = refInfo.reference.$refText;
        const candidates = this.scopeProvider.getScope(refInfo).getAllElements().map(d => d.name).toArray();
        const suggestion = closestName(text, candidates);
        const what = targetNames[referenceType] ?? referenceType;
        error.message = `Unknown ${what} '${text}'.` + (suggestion ? ` Did you mean '${suggestion}'?` : '');
        return error;
    }
}
