import {
    DefaultCompletionProvider, type CompletionAcceptor, type CompletionBacktrackingInformation, type CompletionContext, type NextFeature
} from 'langium/lsp';
import { AstUtils, GrammarAST, interruptAndCheck, type LangiumDocument } from 'langium';
import { CancellationToken, CompletionItemKind, InsertTextFormat, type CompletionList, type CompletionParams } from 'vscode-languageserver';
import { knownCadences } from '../language/fspec-validator.js';
import { ruleKeywords } from '../language/grammar-keywords.js';
import type { FspecServices } from '../fspec-module.js';
import type { SpecGraphCache } from '../language/spec-graph-cache.js';
import { graphIndex } from '../model/graph-index.js';
import { isGoverned, morphCatalogue, morphKinds } from '../model/morphs.js';

/**
 * Snippets offered next to the keyword that starts a section or a common element; the choices of
 * types, risks and tiers come from the grammar.
 */
function snippetsFor(types: string, risks: string, tiers: string): Record<string, string> {
    return {
        identity: `identity {\n\tpurpose "\${1:What this app is for}"\n\tbeneficiary \${2:Users} "\${3:Who it serves}"\n}`,
        desires: `desires {\n\tdesire \${1:name} {\n\t\tgoal "\${2:What the user wants}"\n\t\toutput \${3:result}\n\t}\n}`,
        evidence_policy: `evidence_policy {\n\tsource \${1:name} "\${2:Title}" tier \${3|${tiers}|} cadence \${4|daily,weekly,hourly|}\n}`,
        data_contracts: `data_contracts {\n\tentity \${1:Name} {\n\t\t\${2:field}: \${3|${types}|}\n\t}\n}`,
        workflows: `workflows {\n\tpipeline \${1:name} trigger \${2|daily,nightly,weekly,hourly,manual|} {\n\t\tstep \${3:first_step}\n\t}\n}`,
        interface: `interface {\n\trole \${1:Role}\n\tpanel \${2:name} "\${3:Title}" shows \${4:Entity} for \${1:Role}\n}`,
        safety: `safety {\n\tguardrail \${1:name} "\${2:What must never happen}"\n}`,
        growth_plates: `growth_plates {\n\tplate \${1:name} accepts \${2:add_source}\n}`,
        morph_rules: `morph_rules {\n\trule \${1:add_source} risk \${2|${risks}|}\n}`,
        acceptance: `acceptance {\n\ttest \${1:name} "\${2:What must hold}"\n}`,
        lineage: `lineage {\n\tstage \${1:seed} "\${2:0.1.0}"\n}`,
        entity: `entity \${1:Name} {\n\t\${2:field}: \${3|${types}|}\n}`,
        pipeline: `pipeline \${1:name} trigger \${2|daily,nightly,weekly,hourly,manual|} {\n\tstep \${3:first_step}\n}`,
        gate: `gate \${1:name} reads \${2:Entity} enforces \${3:guardrail}`,
        guardrail: `guardrail \${1:name} "\${2:What must never happen}"`,
        test: `test \${1:name} "\${2:What must hold}" covers \${3:element}`,
        rule: `rule \${1:morph_kind} risk \${2|${risks}|}`,
        plate: `plate \${1:name} accepts \${2:morph_kind}`
    };
}

/** Clauses whose value is a morph kind or a cadence, recognised by the text before the cursor on its line. */
const morphKindClause = /(\baccepts\s+(\w+\s*,\s*)*|\brule\s+|\bby\s+(\w+(\s+[\w.]+)?\s*,\s*)*|\bprohibit\s+morph\s+)\w*$/;
const cadenceClause = /(\bcadence\s+|\btrigger\s+((on\s+)?\w+\s*,\s*)*|\bschedule\s+\w+\s+)\w*$/;
const fieldTypeClause = /:\s*\w*$/;

/** How far before the cursor completion starts lexing (characters, rounded back to a line start). */
const backtrackWindow = 2000;

function insideBlockComment(text: string, position: number): boolean {
    const open = text.lastIndexOf('/*', position);
    if (open === -1) {
        return false;
    }
    const close = text.indexOf('*/', open + 2);
    return close === -1 || close + 2 > position;
}

/**
 * Completion as Langium gives it (keywords valid at the cursor; references filtered by kind
 * through the scope), plus: morph kinds and cadences where those go, instead of the value keywords
 * the `Name` rule admits; and snippets for sections and common elements.
 */
export class FspecCompletionProvider extends DefaultCompletionProvider {
    private readonly valuesOffered = new WeakSet<CompletionContext>();
    private readonly snippets: Record<string, string>;
    private readonly graphs: SpecGraphCache;

    constructor(services: FspecServices) {
        super(services);
        this.graphs = services.model.SpecGraphs;
        const choices = (rule: string) => ruleKeywords(this.grammar, rule).join(',');
        this.snippets = snippetsFor(choices('PrimitiveType'), choices('Risk'), choices('Tier'));
    }

    /**
     * Completion re-parses the document up to the cursor, which costs on a large spec. Langium's
     * provider never reads the token: yield once, so a cancellation can arrive, and stop if it did.
     */
    override async getCompletion(document: LangiumDocument, params: CompletionParams, cancelToken = CancellationToken.None): Promise<CompletionList | undefined> {
        await interruptAndCheck(cancelToken);
        return super.getCompletion(document, params, cancelToken);
    }

    /**
     * Langium lexes the whole document to find the tokens around the cursor (~45 ms at 10k lines).
     * Lexing from a line start some way before the cursor to the end of the cursor's line finds the
     * same tokens: strings cannot span lines, so line starts and ends are token boundaries unless a
     * block comment spans them; in that case, or when the window holds no earlier token, the whole
     * document is lexed as before.
     */
    protected override backtrackToAnyToken(text: string, offset: number): CompletionBacktrackingInformation {
        const windowStart = offset > backtrackWindow ? text.lastIndexOf('\n', offset - backtrackWindow) + 1 : 0;
        const lineEnd = text.indexOf('\n', offset);
        const windowEnd = lineEnd === -1 ? text.length : lineEnd;
        if (insideBlockComment(text, windowStart) || insideBlockComment(text, windowEnd)) {
            return super.backtrackToAnyToken(text, offset);
        }
        const found = super.backtrackToAnyToken(text.slice(windowStart, windowEnd), offset - windowStart);
        if (found.previousTokenStart === undefined && windowStart > 0) {
            return super.backtrackToAnyToken(text, offset);
        }
        const shift = (at: number | undefined) => at === undefined ? undefined : at + windowStart;
        return {
            nextTokenStart: found.nextTokenStart + windowStart, nextTokenEnd: found.nextTokenEnd + windowStart,
            previousTokenStart: shift(found.previousTokenStart), previousTokenEnd: shift(found.previousTokenEnd)
        };
    }

    protected override completionFor(context: CompletionContext, next: NextFeature, acceptor: CompletionAcceptor): void | Promise<void> {
        if (GrammarAST.isKeyword(next.feature) && this.isNameKeyword(context, next.feature)) {
            this.completeValues(context, acceptor);
            return;
        }
        return super.completionFor(context, next, acceptor);
    }

    protected override completionForKeyword(context: CompletionContext, keyword: GrammarAST.Keyword, acceptor: CompletionAcceptor): void | Promise<void> {
        const snippet = this.snippets[keyword.value];
        if (snippet) {
            acceptor(context, {
                label: `${keyword.value} …`, kind: CompletionItemKind.Snippet, insertText: snippet, insertTextFormat: InsertTextFormat.Snippet,
                detail: `${keyword.value} skeleton`, sortText: `1${keyword.value}`
            });
        }
        return super.completionForKeyword(context, keyword, acceptor);
    }

    /** Keywords reached only because `Name` admits value words (a field type keeps its primitive types). */
    private isNameKeyword(context: CompletionContext, keyword: GrammarAST.Keyword): boolean {
        const rule = AstUtils.getContainerOfType(keyword, GrammarAST.isParserRule)?.name;
        return rule === 'Name' || (rule === 'PrimitiveType' && !fieldTypeClause.test(this.lineBefore(context)));
    }

    private completeValues(context: CompletionContext, acceptor: CompletionAcceptor): void {
        if (this.valuesOffered.has(context)) {
            return;
        }
        this.valuesOffered.add(context);
        const before = this.lineBefore(context);
        if (morphKindClause.test(before)) {
            const { nodes } = graphIndex(this.graphs.of(context.document.parseResult.value));
            const declaringRule = /\brule\s+\w*$/.test(before);
            for (const kind of morphKinds.filter(k => !declaringRule || (isGoverned(k) && !nodes.has(`rule:${k}`)))) {
                acceptor(context, {
                    label: kind, kind: CompletionItemKind.EnumMember, detail: morphCatalogue[kind].summary,
                    sortText: `${isGoverned(kind) ? 0 : 1}${kind}`
                });
            }
        } else if (cadenceClause.test(before)) {
            knownCadences.forEach((cadence, index) => acceptor(context, {
                label: cadence, kind: CompletionItemKind.EnumMember, sortText: String(index).padStart(2, '0')
            }));
        }
    }

    private lineBefore(context: CompletionContext): string {
        const position = context.position;
        return context.textDocument.getText({ start: { line: position.line, character: 0 }, end: position });
    }
}
