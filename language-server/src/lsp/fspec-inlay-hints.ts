import { AbstractInlayHintProvider, type InlayHintAcceptor } from 'langium/lsp';
import { GrammarUtils, type AstNode } from 'langium';
import { InlayHintKind } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import type { SpecGraphCache } from '../language/spec-graph-cache.js';
import { graphIndex } from '../model/graph-index.js';

/** The risk of each morph where morphs are named: on lineage lines and in the kinds a plate accepts. */
export class FspecInlayHintProvider extends AbstractInlayHintProvider {
    private readonly graphs: SpecGraphCache;

    constructor(services: FspecServices) {
        super();
        this.graphs = services.model.SpecGraphs;
    }

    computeInlayHint(node: AstNode, acceptor: InlayHintAcceptor): void {
        if (ast.isAppliedMorph(node)) {
            const kind = GrammarUtils.findNodeForProperty(node.$cstNode, 'kind');
            const risk = this.riskOf(node, node.kind);
            if (kind && risk) {
                acceptor({ position: kind.range.end, label: `: ${risk}`, kind: InlayHintKind.Type, paddingLeft: false, tooltip: `risk of ${node.kind} from its morph rule` });
            }
        } else if (ast.isPlate(node)) {
            GrammarUtils.findNodesForProperty(node.$cstNode, 'accepts').forEach((accepted, index) => {
                const risk = this.riskOf(node, node.accepts[index]);
                if (risk) {
                    acceptor({ position: accepted.range.end, label: `: ${risk}`, kind: InlayHintKind.Type, tooltip: `risk of ${node.accepts[index]} from its morph rule` });
                }
            });
        }
    }

    /** The risk its morph rule gives a kind, from the spec graph. */
    private riskOf(node: AstNode, kind: string): string | undefined {
        const risk = graphIndex(this.graphs.of(node)).nodes.get(`rule:${kind}`)?.attrs.risk;
        return typeof risk === 'string' ? risk : undefined;
    }
}
