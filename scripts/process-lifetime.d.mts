// Types of process-lifetime.mjs for the TypeScript tests.
export function processStat(pid: number): { ppid: number; start: string } | undefined;
