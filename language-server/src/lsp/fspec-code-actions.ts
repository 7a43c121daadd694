import { AstUtils, CstUtils, GrammarUtils, type AstNode, type AstReflection, type LangiumDocument, type Reference, type ScopeProvider } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import { IssueCodes, knownCadences } from '../language/fspec-validator.js';
import type { SpecGraphCache } from '../language/spec-graph-cache.js';
import { graphIndex } from '../model/graph-index.js';
import { GrowthCodes } from '../model/growth-rules.js';
import { morphKinds } from '../model/morphs.js';
import { termName } from '../model/desires.js';
import { closestName, uniqueName } from '../model/names.js';
import { appendAfter, appendInside, appendToSection, prependInside } from '../language/spec-edits.js';
import { driftFixes } from './drift-actions.js';

type Fix = (document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic) => CodeAction[];

/** What the diagnostics of the growth rules carry for their fixes (see fspec-growth-validator.ts). */
interface GrowthData { morph: string, subject?: string, at?: string }

/**
 * The "grow" quick fixes: each turns a diagnostic into the spec edit that resolves it, so the spec
 * grows by its own rules (a missing test skeleton, a rule or plate for a morph, a gate for a
 * guardrail, a desire realized, an identity, the closest name). Drift gets its own (drift-actions.ts).
 */
export class FspecCodeActionProvider implements CodeActionProvider {
    private readonly scopeProvider: ScopeProvider;
    private readonly graphs: SpecGraphCache;
    private readonly reflection: AstReflection;
    private readonly fixes: Record<string, Fix> = {
        [IssueCodes.MissingIdentity]: (d, g) => this.missingIdentity(d, g),
        'linking-error': (d, g) => this.unresolvedReference(d, g),
        [GrowthCodes.MorphWithoutRule]: (d, g) => this.addRule(d, g),
        [GrowthCodes.MorphNotAllowed]: (d, g) => this.allowMorph(d, g),
        [GrowthCodes.MorphTestsMissing]: (d, g) => this.addRequiredTests(d, g),
        [IssueCodes.UnenforcedGuardrail]: (d, g) => this.enforceGuardrail(d, g),
        [IssueCodes.PendingDesire]: (d, g) => this.realizeDesire(d, g),
        [IssueCodes.HighRiskWithoutReview]: (d, g) => this.requireReview(d, g),
        [IssueCodes.HighRiskWithoutTest]: (d, g) => this.requireTest(d, g),
        [IssueCodes.UnknownMorphKind]: (d, g) => this.closestValue(d, g, morphKinds),
        [IssueCodes.UnknownCadence]: (d, g) => this.closestValue(d, g, knownCadences),
        [IssueCodes.Drift]: (d, g) => driftFixes(this.services, d, g)
    };

    constructor(private readonly services: FspecServices) {
        this.graphs = services.model.SpecGraphs;
        this.scopeProvider = services.references.ScopeProvider;
        this.reflection = services.shared.AstReflection;
    }

    getCodeActions(document: LangiumDocument, params: CodeActionParams): CodeAction[] {
        const spec = document.parseResult.value;
        if (!ast.isSpec(spec)) {
            return [];
        }
        return params.context.diagnostics.flatMap(diagnostic => {
            const fix = this.fixes[String((diagnostic.data as { code?: string } | undefined)?.code)];
            return fix ? fix(document as LangiumDocument<ast.Spec>, diagnostic) : [];
        });
    }

    private missingIdentity(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        return quickFix('Add an identity section', diagnostic, document, [prependInside(document, document.parseResult.value, [
            'identity {', '  purpose "Describe what this app is for"', '  beneficiary Users "Who the app serves"', '}'
        ])], true);
    }

    private unresolvedReference(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        const found = referenceAt(document, diagnostic.range);
        if (!found) {
            return [];
        }
        const { reference, container, property, index } = found;
        const name = reference.$refText;
        const scope = this.scopeProvider.getScope({ reference, container, property, index });
        const actions: CodeAction[] = [];
        const closest = closestName(name, scope.getAllElements().map(d => d.name));
        if (closest) {
            actions.push(...quickFix(`Change to '${closest}'`, diagnostic, document, [{ range: diagnostic.range, newText: closest }], true));
        }
        const created = name.includes('.') ? undefined : this.declaration(this.reflection.getReferenceType({ reference, container, property, index }), name);
        if (created) {
            actions.push(...quickFix(`Add ${created.what} '${name}'`, diagnostic, document, [appendToSection(document, created.section, created.lines)]));
        }
        return actions;
    }

    /** The skeleton declaration of a missing element that can be created where it belongs. */
    private declaration(type: string, name: string): { what: string, section: 'acceptance' | 'safety' | 'data_contracts' | 'interface', lines: string[] } | undefined {
        switch (type) {
            case 'AcceptanceTest': return { what: 'acceptance test', section: 'acceptance', lines: [`test ${name} "Describe what must hold"`] };
            case 'Guardrail': return { what: 'guardrail', section: 'safety', lines: [`guardrail ${name} "Describe what must never happen"`] };
            case 'Entity': return { what: 'entity', section: 'data_contracts', lines: [`entity ${name} {`, '}'] };
            case 'Role': return { what: 'role', section: 'interface', lines: [`role ${name}`] };
            default: return undefined;
        }
    }

    private addRule(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        const { morph } = diagnostic.data as GrowthData;
        return quickFix(`Add morph rule '${morph}' (risk medium)`, diagnostic, document, [appendToSection(document, 'morph_rules', [`rule ${morph} risk medium`])], true);
    }

    private allowMorph(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        const { morph, subject, at } = diagnostic.data as GrowthData;
        const spec = document.parseResult.value;
        const ruleEdit = graphIndex(this.graphs.of(spec)).nodes.has(`rule:${morph}`) ? [] : [appendToSection(document, 'morph_rules', [`rule ${morph} risk medium`])];
        const withRule = ruleEdit.length ? ' and a medium-risk rule' : '';
        const plates = spec.sections.filter(ast.isGrowthPlates).flatMap(s => s.plates);
        const name = uniqueName(at ? `${at}_${morph}` : morph, plates.map(p => p.name));
        const actions = quickFix(`Add growth plate '${name}' accepting ${morph}${at ? ` at ${at}` : ''}${withRule}`, diagnostic, document,
            [appendToSection(document, 'growth_plates', [`plate ${name} accepts ${morph}${at ? ` at ${at}` : ''}`]), ...ruleEdit], true);
        const nearest = plates.find(p => `plate:${p.name}` === subject);
        if (nearest?.at && nearest.at.$refText === at) {
            const lastAccepted = GrammarUtils.findNodesForProperty(nearest.$cstNode, 'accepts').at(-1)!;
            actions.push(...quickFix(`Let plate '${nearest.name}' accept ${morph}${withRule}`, diagnostic, document,
                [{ range: { start: lastAccepted.range.end, end: lastAccepted.range.end }, newText: `, ${morph}` }, ...ruleEdit]));
        }
        return actions;
    }

    private addRequiredTests(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        const { subject } = diagnostic.data as GrowthData;
        const rule = AstUtils.streamAllContents(document.parseResult.value).filter(ast.isMorphRule).find(r => `rule:${r.name}` === subject);
        const missing = [...new Set(rule?.requires.filter(r => !r.ref).map(r => r.$refText) ?? [])];
        if (missing.length === 0) {
            return [];
        }
        return quickFix(`Add acceptance test${missing.length > 1 ? 's' : ''} ${missing.map(t => `'${t}'`).join(', ')}`, diagnostic, document,
            [appendToSection(document, 'acceptance', missing.map(t => `test ${t} "Describe what must hold"`))], true);
    }

    private enforceGuardrail(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        const guardrail = nodeAt(document, diagnostic.range, ast.isGuardrail);
        if (!guardrail) {
            return [];
        }
        const spec = document.parseResult.value;
        const names = AstUtils.streamAllContents(spec).filter(ast.isElement).map(e => e.name ?? '').toArray();
        const actions: CodeAction[] = [];
        const pipeline = spec.sections.filter(ast.isWorkflows).flatMap(w => w.pipelines)[0];
        if (pipeline) {
            const gate = uniqueName(`${guardrail.name}_gate`, names);
            actions.push(...quickFix(`Enforce '${guardrail.name}' with gate '${gate}' in pipeline '${pipeline.name}'`, diagnostic, document,
                [prependInside(document, pipeline, [`gate ${gate} enforces ${guardrail.name}`])], true));
        }
        const test = uniqueName(`${guardrail.name}_holds`, names);
        actions.push(...quickFix(`Cover '${guardrail.name}' with acceptance test '${test}'`, diagnostic, document,
            [appendToSection(document, 'acceptance', [`test ${test} ${JSON.stringify(guardrail.text)} covers ${guardrail.name}`])]));
        return actions;
    }

    /** A morph proposal stub for a desire: a step per output nothing produces yet, for the crew or the user to fill in. */
    private realizeDesire(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        const desire = nodeAt(document, diagnostic.range, ast.isDesire);
        const outputs = (diagnostic.data as { outputs?: string[] }).outputs ?? [];
        if (!desire || outputs.length === 0) {
            return [];
        }
        const steps = outputs.map(o => `step ${termName(o)} "Produces ${o.replace(/"/g, '')} for desire ${desire.name}"`);
        const pipeline = document.parseResult.value.sections.filter(ast.isWorkflows).flatMap(w => w.pipelines)[0];
        const edit = pipeline ? appendInside(document, pipeline, steps) : appendToSection(document, 'workflows', [`pipeline ${desire.name} {`, ...steps.map(s => `  ${s}`), '}']);
        return quickFix(`Realize desire '${desire.name}': add ${outputs.length > 1 ? 'steps' : 'a step'} for ${outputs.map(o => `'${o}'`).join(', ')}${pipeline ? ` to pipeline '${pipeline.name}'` : ''}`,
            diagnostic, document, [edit], true);
    }

    private requireReview(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        const rule = nodeAt(document, diagnostic.range, ast.isMorphRule);
        return rule ? quickFix(`Require human review for '${rule.name}'`, diagnostic, document, [appendAfter(rule, ' review human')], true) : [];
    }

    private requireTest(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
        const rule = nodeAt(document, diagnostic.range, ast.isMorphRule);
        if (!rule) {
            return [];
        }
        const names = AstUtils.streamAllContents(document.parseResult.value).filter(ast.isAcceptanceTest).map(t => t.name).toArray();
        const test = uniqueName(`${rule.name}_holds`, names);
        return quickFix(`Require new acceptance test '${test}' for '${rule.name}'`, diagnostic, document, [
            appendAfter(rule, ` requires ${test}`),
            appendToSection(document, 'acceptance', [`test ${test} "Describe what must still hold after ${rule.name}"`])
        ], true);
    }

    private closestValue(document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic, known: readonly string[]): CodeAction[] {
        const closest = closestName(document.textDocument.getText(diagnostic.range), known);
        return closest ? quickFix(`Change to '${closest}'`, diagnostic, document, [{ range: diagnostic.range, newText: closest }], true) : [];
    }
}

/** A quick fix, or none when one of its edits cannot be placed (a block the parser could not close). */
function quickFix(title: string, diagnostic: Diagnostic, document: LangiumDocument, edits: Array<TextEdit | undefined>, isPreferred = false): CodeAction[] {
    if (edits.some(edit => edit === undefined)) {
        return [];
    }
    return [{ title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred, edit: { changes: { [document.textDocument.uri]: edits as TextEdit[] } } }];
}

/** The innermost node of a type at the start of a range (diagnostics sit on a name or keyword of their node). */
function nodeAt<T extends AstNode>(document: LangiumDocument, range: Range, guard: (node: unknown) => node is T): T | undefined {
    const leaf = CstUtils.findLeafNodeAtOffset(document.parseResult.value.$cstNode!, document.textDocument.offsetAt(range.start));
    return leaf && AstUtils.getContainerOfType(leaf.astNode, guard);
}

/** The cross-reference whose text is at the range, with where it sits. */
function referenceAt(document: LangiumDocument, range: Range): { reference: Reference, container: AstNode, property: string, index?: number } | undefined {
    const offset = document.textDocument.offsetAt(range.start);
    for (const node of AstUtils.streamAst(document.parseResult.value)) {
        const found = AstUtils.streamReferences(node).find(r => r.reference.$refNode?.offset === offset);
        if (found) {
            return { reference: found.reference as Reference, container: found.container, property: found.property, index: found.index };
        }
    }
    return undefined;
}

