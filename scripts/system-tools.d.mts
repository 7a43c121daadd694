// Types of system-tools.mjs for the TypeScript tests that need a tool from the system.
export interface SystemNeed {
    readonly name: string;
    readonly debian: string;
    readonly why: string;
    readonly alternative?: string;
    found(): boolean;
}
export class MissingTool extends Error {}
export function chromiumPath(): string | undefined;
export function missingMessage(needs: readonly SystemNeed[]): string | undefined;
export function ensureSystemPackages(needs: readonly SystemNeed[], options?: { log?: (line: string) => void }): void;
export function debianPackage(debian: string, why: string): SystemNeed;
export const chromium: SystemNeed;
export const python3: SystemNeed;
export const testTools: readonly SystemNeed[];
