import { AstUtils, CstUtils, GrammarUtils, interruptAndCheck, isAstNode, type AstNode, type AstNodeDescription, type CstNode, type LangiumDocument } from 'langium';
import {
    DefaultFoldingRangeProvider, DefaultNodeKindProvider, DefaultWorkspaceSymbolProvider, type DocumentSymbolProvider, type FoldingRangeAcceptor
} from 'langium/lsp';
import { CancellationToken, SymbolKind, type DocumentSymbol, type WorkspaceSymbol, type WorkspaceSymbolParams } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';
import { sectionName } from '../model/spec-graph-builder.js';

/**
 * The symbol kind of each kind of node, close to its semantic token type where LSP has one:
 * the spec is a package, sections namespaces, entities classes with fields, pipelines modules of
 * functions (steps) and operators (gates: checks that let the flow through or not), panels
 * interfaces, actions and schedules events, plates type parameters, tests methods, lineage
 * entries enum members of the app's history. Texts (purpose, envelope, disclaimer) are strings,
 * fixed things (prohibitions, guardrails) constants, people (beneficiaries, roles) objects.
 */
const symbolKinds: Record<string, SymbolKind> = {
    Spec: SymbolKind.Package,
    Purpose: SymbolKind.String, Beneficiary: SymbolKind.Object, Envelope: SymbolKind.String, Prohibition: SymbolKind.Constant,
    Desire: SymbolKind.Struct, Source: SymbolKind.Variable,
    Entity: SymbolKind.Class, Field: SymbolKind.Field,
    Pipeline: SymbolKind.Module, Step: SymbolKind.Function,
    Role: SymbolKind.Object, Panel: SymbolKind.Interface, Action: SymbolKind.Event,
    Guardrail: SymbolKind.Constant, Disclaimer: SymbolKind.String,
    Preference: SymbolKind.Property, Heuristic: SymbolKind.Function,
    Schedule: SymbolKind.Event, Retention: SymbolKind.Number,
    Organ: SymbolKind.Module, Plate: SymbolKind.TypeParameter, MorphRule: SymbolKind.Key,
    AcceptanceTest: SymbolKind.Method, LineageEntry: SymbolKind.EnumMember
};

function symbolKindOf(node: AstNode | AstNodeDescription): SymbolKind | undefined {
    if (isAstNode(node) && ast.isStep(node) && node.kind === 'gate') {
        return SymbolKind.Operator;
    }
    if (isAstNode(node) && ast.isSection(node)) {
        return SymbolKind.Namespace;
    }
    return symbolKinds[isAstNode(node) ? node.$type : node.type];
}

/** Symbol kinds for workspace symbols too (Langium's default calls everything a field). */
export class FspecNodeKindProvider extends DefaultNodeKindProvider {
    override getSymbolKind(node: AstNode | AstNodeDescription): SymbolKind {
        // Without its node (a description loaded from elsewhere) a gate counts as a step.
        const target = !isAstNode(node) && node.node ? node.node : node;
        return symbolKindOf(target) ?? super.getSymbolKind(node);
    }
}

/**
 * The outline: the spec, its sections by keyword, their elements (entities with their fields,
 * pipelines with their steps and gates), each with its title or text as detail. Unnamed items
 * (purpose, envelope, prohibit, schedule, retention) are named by their leading words.
 */
export class FspecDocumentSymbolProvider implements DocumentSymbolProvider {

    getSymbols(document: LangiumDocument): DocumentSymbol[] {
        const spec = document.parseResult.value;
        return ast.isSpec(spec) ? this.symbolsFor([spec]) : [];
    }

    private symbolsFor(nodes: Iterable<AstNode>): DocumentSymbol[] {
        const symbols: DocumentSymbol[] = [];
        for (const node of nodes) {
            const kind = symbolKindOf(node);
            const cst = node.$cstNode;
            const label = kind !== undefined && cst ? symbolLabel(node) : undefined;
            if (kind === undefined || !cst || !label) {
                continue;
            }
            const children = this.symbolsFor(AstUtils.streamContents(node));
            symbols.push({
                name: label.name, kind, range: cst.range, selectionRange: label.at.range,
                ...(label.detail ? { detail: label.detail } : {}),
                ...(children.length ? { children } : {})
            });
        }
        return symbols;
    }
}

interface SymbolLabel { name: string, at: CstNode, detail?: string }

function symbolLabel(node: AstNode): SymbolLabel | undefined {
    const first = CstUtils.flattenCst(node.$cstNode!).head()!;
    const named = (detail?: string): SymbolLabel | undefined => {
        const { name } = node as { name?: string };
        const at = name ? GrammarUtils.findNodeForProperty(node.$cstNode, 'name') : undefined;
        return name && at ? { name, at, detail } : undefined;
    };
    const leading = (name: string, detail?: string): SymbolLabel => ({ name, at: first, detail });
    if (ast.isSection(node)) {
        return leading(sectionName(node));
    } else if (ast.isSpec(node)) {
        return named(words(node.version && `"${node.version}"`, node.stage && `stage ${node.stage.$refText}`));
    } else if (ast.isPurpose(node) || ast.isEnvelope(node)) {
        return leading(node.$type.toLowerCase(), node.text);
    } else if (ast.isProhibition(node)) {
        return leading(sourceText(node));
    } else if (ast.isBeneficiary(node)) {
        return named(node.description);
    } else if (ast.isField(node)) {
        const type = words(node.type?.$cstNode && sourceText(node.type), ...node.flags);
        return named(node.description ? `${type} — ${node.description}` : type);
    } else if (ast.isSchedule(node)) {
        return leading(words('schedule', node.pipeline?.$refText), words(node.cadence, node.time && `at ${node.time}`));
    } else if (ast.isRetention(node)) {
        return leading(words('retention', node.entity?.$refText), words(node.amount?.toString(), node.unit));
    } else if (ast.isMorphRule(node)) {
        return named(node.risk && `risk ${node.risk}`);
    } else if (ast.isLineageEntry(node)) {
        return named(node.version);
    } else if (ast.isDisclaimer(node) && !node.name) {
        return leading('disclaimer', node.text);
    }
    // Everything else is named and has a title or a text.
    const { title, text } = node as { title?: string, text?: string };
    return named(title ?? text);
}

function words(...parts: Array<string | undefined>): string {
    return parts.filter(Boolean).join(' ');
}

/** The node's tokens on one line, without comments: `prohibit remove beneficiary Farmer`, `enum(x, y)[]`. */
function sourceText(node: AstNode): string {
    return CstUtils.flattenCst(node.$cstNode!).filter(leaf => !leaf.hidden).map(leaf => leaf.text).join(' ')
        .replace(/ ([,()?]|\[\])/g, '$1').replace(/\( /g, '(');
}

/**
 * Langium's folding ranges (every AST node of three lines or more, multi-line comments) except
 * for the root node, which it skips: the spec itself folds too.
 */
export class FspecFoldingRangeProvider extends DefaultFoldingRangeProvider {
    protected override collectFolding(document: LangiumDocument, acceptor: FoldingRangeAcceptor): void {
        super.collectFolding(document, acceptor);
        const spec = document.parseResult?.value;
        if (spec) {
            this.collectObjectFolding(document, spec, acceptor);
        }
    }
}

/**
 * Workspace symbols are the exported `Spec.element` names. Langium's fuzzy matcher only starts a
 * match at the start of the text or of a camelCase/snake_case word, not after a `.`, so
 * `phi_gate` would not find `FarmOps.contract_allocation.phi_gate`. Each dotted suffix of a name
 * (`contract_allocation.phi_gate`, `phi_gate`) is therefore matched too.
 */
export class FspecWorkspaceSymbolProvider extends DefaultWorkspaceSymbolProvider {
    override async getSymbols(params: WorkspaceSymbolParams, cancelToken = CancellationToken.None): Promise<WorkspaceSymbol[]> {
        const query = params.query.toLowerCase();
        const symbols: WorkspaceSymbol[] = [];
        for (const description of this.indexManager.allElements()) {
            await interruptAndCheck(cancelToken);
            const parts = description.name.split('.');
            if (parts.some((_, i) => this.fuzzyMatcher.match(query, parts.slice(i).join('.')))) {
                const symbol = this.getWorkspaceSymbol(description);
                if (symbol) {
                    symbols.push(symbol);
                }
            }
        }
        return symbols;
    }
}
