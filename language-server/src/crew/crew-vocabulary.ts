/**
 * The crew's vocabulary for editing and checking crew pipelines (`.factory/crew.dot`): the node
 * types the crew's handlers register, the roles the shipped crew.dot names, and the lint options
 * under which a crew pipeline is checked. Nothing is listed twice: the types come from registering
 * the handlers for real, the roles from the shipped pipeline.
 */
import defaultCrewDot from './crew.dot';
import { registerCrewHandlers, type CrewEnvironment } from './crew-handlers.js';
import { createDefaultRegistry, parsePipeline, type AttributeInfo, type ValidateOptions } from './engine/index.js';

/**
 * An environment whose every member, at any depth, is a stand-in: registration may read it, and
 * calling anything throws (only a run calls the handlers, and these are never run).
 */
function inertEnvironment(): CrewEnvironment {
    const inert: object = new Proxy(() => undefined, {
        get: (_target, property) => (property === 'then' ? undefined : inert),
        apply: () => {
            throw new Error('the crew vocabulary registers handlers only to list them; they cannot run');
        }
    });
    return inert as CrewEnvironment;
}

let registered: { all: string[]; crew: string[] } | undefined;

function registeredTypes(): { all: string[]; crew: string[] } {
    if (!registered) {
        const registry = createDefaultRegistry();
        const builtIn = new Set(registry.types());
        registerCrewHandlers(registry, inertEnvironment());
        const all = registry.types();
        registered = { all, crew: all.filter(type => !builtIn.has(type)) };
    }
    return registered;
}

/** The node types the crew's handlers register (`crew.refine`, `crew.plan`, …), in registration order. */
export function crewNodeTypes(): string[] {
    return [...registeredTypes().crew];
}

/** The roles the shipped crew.dot gives its steps, in order of first use. */
export const CREW_ROLES: readonly string[] = (() => {
    const graph = parsePipeline(defaultCrewDot).graph;
    const roles = [...(graph?.nodes.values() ?? [])].map(n => n.attrs.role).filter((role): role is string => !!role);
    return [...new Set(roles)];
})();

/** The attributes crew steps read beyond the engine's catalog. */
export const CREW_ATTRIBUTES: readonly AttributeInfo[] = [{
    key: 'role', on: 'node', type: 'string', values: CREW_ROLES, source: 'crew',
    doc: 'The crew role that performs the step (Planner, Safety, …), shown with the step in the growth\'s progress.'
}];

/** Lint options for a crew pipeline: the built-in and crew handler types, and the crew's attributes. */
export function crewValidateOptions(): ValidateOptions {
    return { handlerTypes: registeredTypes().all, attributes: CREW_ATTRIBUTES };
}
