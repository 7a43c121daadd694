/**
 * Transforms (§9): graph → graph functions applied after parsing and before validation. They return
 * new graphs and never change their input. Built-in: the model stylesheet, then `$goal` expansion;
 * custom transforms follow in the order given.
 */
import { validate, type Diagnostic, type ValidateOptions } from './lint.js';
import { mapNodes, withNodeAttrs, type PipelineGraph } from './pipeline-graph.js';
import { applyModelStylesheet } from './stylesheet.js';

export type Transform = (graph: PipelineGraph) => PipelineGraph;

/** `$goal` → the graph goal; plain replacement, not a template engine (§4.5). */
export function expandVariables(text: string, graph: PipelineGraph): string {
    return text.replaceAll('$goal', graph.goal);
}

export function expandGoalVariable(graph: PipelineGraph): PipelineGraph {
    return mapNodes(graph, node => node.prompt.includes('$goal') ? withNodeAttrs(node, { prompt: expandVariables(node.prompt, graph) }) : node);
}

export const BUILT_IN_TRANSFORMS: readonly Transform[] = [applyModelStylesheet, expandGoalVariable];

export interface PrepareOptions extends ValidateOptions {
    /** Run after the built-in transforms, in this order. */
    readonly transforms?: readonly Transform[];
}

/** TRANSFORM then VALIDATE (§3.1): the transformed graph and its diagnostics. */
export function preparePipeline(graph: PipelineGraph, options: PrepareOptions = {}): { graph: PipelineGraph; diagnostics: Diagnostic[] } {
    const transformed = [...BUILT_IN_TRANSFORMS, ...(options.transforms ?? [])].reduce((g, transform) => transform(g), graph);
    return { graph: transformed, diagnostics: validate(transformed, options) };
}
