import type { NodeHandler } from './handler.js';

/**
 * A routing point (§4.7): succeeds without side effects; the engine's edge selection does the routing.
 * Its edges see this SUCCESS as `outcome` (A.3 #11), so they should test context values.
 */
export const conditionalHandler: NodeHandler = async node => ({ status: 'success', notes: `Conditional node evaluated: ${node.id}` });
