import type { NodeHandler } from './handler.js';

/** The entry point does no work (§4.3). */
export const startHandler: NodeHandler = async () => ({ status: 'success' });
