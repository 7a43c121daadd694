/** Handler registry (§4.2): explicit `type`, then shape (Appendix B; see shapeHandlerType), then the default (codergen). */
import type { Interviewer } from '../interviewer.js';
import { shapeHandlerType, type PipelineNode } from '../pipeline-graph.js';
import { createCodergenHandler, type CodergenBackend } from './codergen.js';
import { conditionalHandler } from './conditional.js';
import { exitHandler } from './exit.js';
import { fanInHandler } from './fan-in.js';
import { createManagerLoopHandler } from './manager-loop.js';
import type { NodeHandler } from './handler.js';
import { parallelHandler } from './parallel.js';
import { startHandler } from './start.js';
import { createToolHandler } from './tool.js';
import { createWaitHumanHandler } from './wait-human.js';

export interface ResolvedHandler {
    /** The registered type the handler was found under; `default` for the default handler. */
    readonly type: string;
    readonly handler: NodeHandler;
}

export class HandlerRegistry {
    private readonly handlers = new Map<string, NodeHandler>();

    constructor(private readonly defaultHandler: NodeHandler) {}

    /** Registering a type again replaces its handler. */
    register(type: string, handler: NodeHandler): void {
        this.handlers.set(type, handler);
    }

    types(): string[] {
        return [...this.handlers.keys()];
    }

    resolve(node: PipelineNode): ResolvedHandler {
        for (const type of [node.type, shapeHandlerType(node)]) {
            const handler = type ? this.handlers.get(type) : undefined;
            if (handler) {
                return { type, handler };
            }
        }
        return { type: 'default', handler: this.defaultHandler };
    }
}

export interface DefaultHandlerOptions {
    /** Calls the LLM for codergen nodes; without one they simulate (§4.5). */
    readonly backend?: CodergenBackend;
    /** Answers wait.human nodes; without one they fail. */
    readonly interviewer?: Interviewer;
    /** Working directory of tool commands and of a manager loop's relative `stack.child_dotfile`; defaults to the process's. */
    readonly toolWorkdir?: string;
}

/** A registry with every built-in handler; codergen is also the default. */
export function createDefaultRegistry(options: DefaultHandlerOptions = {}): HandlerRegistry {
    const codergen = createCodergenHandler(options.backend);
    const registry = new HandlerRegistry(codergen);
    registry.register('start', startHandler);
    registry.register('exit', exitHandler);
    registry.register('codergen', codergen);
    registry.register('conditional', conditionalHandler);
    registry.register('wait.human', createWaitHumanHandler(options.interviewer));
    registry.register('tool', createToolHandler(options.toolWorkdir ?? process.cwd()));
    registry.register('stack.manager_loop', createManagerLoopHandler(() => registry, options.toolWorkdir ?? process.cwd()));
    registry.register('parallel', parallelHandler);
    registry.register('parallel.fan_in', fanInHandler);
    return registry;
}
