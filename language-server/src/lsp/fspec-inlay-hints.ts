import { AbstractInlayHintProvider, type InlayHintAcceptor } from 'langium/lsp';
import { AstUtils, GrammarUtils, type AstNode } from 'langium';
import { InlayHintKind } from 'vscode-languageserver';
import * as ast from '../generated/ast.js';

/** The risk of each morph where morphs are named: on lineage lines and in the kinds a plate accepts. */
export class FspecInlayHintProvider extends AbstractInlayHintProvider {
    computeInlayHint(node: AstNode, acceptor: InlayHintAcceptor): void {
        if (ast.isAppliedMorph(node)) {
            const kind = GrammarUtils.findNodeForProperty(node.$cstNode, 'kind');
            const risk = riskOf(node, node.kind);
            if (kind && risk) {
                acceptor({ position: kind.range.end, label: `: ${risk}`, kind: InlayHintKind.Type, paddingLeft: false, tooltip: `risk of ${node.kind} from its morph rule` });
            }
        } else if (ast.isPlate(node)) {
            GrammarUtils.findNodesForProperty(node.$cstNode, 'accepts').forEach((accepted, index) => {
                const risk = riskOf(node, node.accepts[index]);
                if (risk) {
                    acceptor({ position: accepted.range.end, label: `: ${risk}`, kind: InlayHintKind.Type, tooltip: `risk of ${node.accepts[index]} from its morph rule` });
                }
            });
        }
    }
}

function riskOf(node: AstNode, kind: string): string | undefined {
    const spec = AstUtils.findRootNode(node) as ast.Spec;
    return spec.sections.filter(ast.isMorphRules).flatMap(s => s.rules).find(r => r.name === kind)?.risk;
}
