import type { NodeHandler } from './handler.js';

/** The exit point does no work (§4.4); the engine checks goal gates before it runs. */
export const exitHandler: NodeHandler = async () => ({ status: 'success' });
