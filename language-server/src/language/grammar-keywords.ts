import { AstUtils, GrammarAST } from 'langium';

/** The keywords a grammar rule offers, e.g. the primitive types of `PrimitiveType`: read from the grammar, never listed twice. */
export function ruleKeywords(grammar: GrammarAST.Grammar, ruleName: string): string[] {
    const rule = grammar.rules.find(r => r.name === ruleName);
    return rule ? AstUtils.streamAllContents(rule).filter(GrammarAST.isKeyword).map(k => k.value).toArray() : [];
}
