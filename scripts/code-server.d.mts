// Types of code-server.mjs for the TypeScript tests.
export const root: string;
export const codeServerVersion: string;
export const node24: string;
export function ensureCodeServer(): Promise<string>;
export function freePort(): Promise<number>;
