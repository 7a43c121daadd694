import { appModel } from '../../compiler/app-model.js';
import { compileFor } from '../../compiler/build-app.js';
import { runAcceptance } from '../../compiler/tester/index.js';
import { toolsmith, type BodyGrower } from '../../compiler/toolsmith/index.js';
import { growWithModel, type ModelBodyEvent, type ModelBodyOutcome } from '../../compiler/toolsmith/model-toolsmith.js';
import type { FspecServices } from '../../fspec-module.js';
import { graphIndex, outgoing } from '../../model/graph-index.js';
import { idName, type SpecGraph } from '../../model/spec-graph.js';
import { ToolsmithBodySchema } from '../contracts.js';
import type { CrewLlm } from '../llm.js';

/** An adapter the app needs for an evidence source the growth adds. */
export interface AdapterNeed {
    source: string;
    /** Entities the adapter must deliver records of (empty: the source only informs). */
    entities: string[];
    cadence?: string;
    url?: string;
    tier?: string;
}

/**
 * The Toolsmith: every source the growth adds needs an adapter that fetches it at its cadence and
 * delivers the entities it provides. It lists them here; generating them is the compiler's job.
 */
export function adaptersNeeded(after: SpecGraph, added: readonly string[]): AdapterNeed[] {
    const { nodes } = graphIndex(after);
    return added.filter(id => id.startsWith('source:')).flatMap(id => {
        const source = nodes.get(id);
        if (!source) {
            return [];
        }
        const { cadence, url, tier } = source.attrs as { cadence?: string, url?: string, tier?: string };
        return [{
            source: source.name, entities: outgoing(after, id, 'provides').map(e => idName(e.to)),
            ...(cadence ? { cadence } : {}), ...(url ? { url } : {}), ...(tier ? { tier } : {})
        }];
    });
}

export interface StepBodiesRequest {
    services: FspecServices;
    specPath: string;
    /** The spec text the graph is of (the acceptance runs parse it). */
    text: string;
    graph: SpecGraph;
    /** The build folder whose kept bodies the app is compiled and tested with. */
    out: string;
    llm: CrewLlm;
    signal?: AbortSignal;
    timeoutMs?: number;
    /** The acceptance runs' date, YYYY-MM-DD. */
    today?: string;
    onEvent?(event: ModelBodyEvent): void;
}

/**
 * The Toolsmith with the crew's model: bodies for the steps that neither the deterministic Toolsmith
 * nor someone before (by hand or a model: `.factory/bodies/`, the build folder) wrote one for, each accepted
 * only once the app typechecks with it and the acceptance tests covering it pass in the sandbox.
 * What became of each step it was asked for; `withAcceptedBodies` makes them a grower.
 */
export async function growStepBodies(request: StepBodiesRequest): Promise<ModelBodyOutcome[]> {
    const { services, specPath, text, graph, out, llm } = request;
    const appFiles = (grow: BodyGrower) => compileFor(graph, specPath, out, grow);
    const waiting = appFiles(toolsmith).bodies.filter(b => b.grown === 'not-yet-grown').map(b => b.stage);
    if (waiting.length === 0) {
        return [];
    }
    const [{ askStructured }, { typecheckApp }] = await Promise.all([import('../llm.js'), import('../../compiler/typecheck.js')]);
    return growWithModel(appModel(graph), waiting, toolsmith, {
        model: llm.describe,
        ask: async ({ system, prompt }) => (await askStructured(llm, { role: 'toolsmith', system, prompt, schema: ToolsmithBodySchema },
            { signal: request.signal, timeoutMs: request.timeoutMs })).value,
        files: grow => appFiles(grow).files,
        typecheck: async files => typecheckApp(files),
        test: grow => runAcceptance(services, specPath, text, { out, grow, today: request.today }),
        onEvent: request.onEvent,
        signal: request.signal
    });
}
