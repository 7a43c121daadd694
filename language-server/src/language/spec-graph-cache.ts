import { AstUtils, type AstNode } from 'langium';
import type { Spec } from '../generated/ast.js';
import { buildSpecGraph } from '../model/spec-graph-builder.js';
import type { SpecGraph } from '../model/spec-graph.js';

/** Builds each parsed spec's graph once: a new parse gives a new root node, so the cache never goes stale. */
export class SpecGraphCache {
    private readonly graphs = new WeakMap<Spec, SpecGraph>();

    get(spec: Spec): SpecGraph {
        let graph = this.graphs.get(spec);
        if (!graph) {
            graph = buildSpecGraph(spec);
            this.graphs.set(spec, graph);
        }
        return graph;
    }

    /** The graph of the spec a node belongs to: whole-spec checks look things up there instead of walking the AST. */
    of(node: AstNode): SpecGraph {
        return this.get(AstUtils.findRootNode(node) as Spec);
    }
}
