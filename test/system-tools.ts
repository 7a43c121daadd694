// What a test needs from the system (Chromium, Python 3): `npm test` installs it first as root
// (scripts/test-setup.mjs); where it is missing all the same, the test fails saying how to get it.
import { chromium, chromiumPath, missingMessage, python3, type SystemNeed } from '../scripts/system-tools.mjs';

function requireTool(tool: SystemNeed): void {
    const missing = missingMessage([tool]);
    if (missing) {
        throw new Error(`${missing} (npm test installs it when run as root)`);
    }
}

/** Chromium's executable; throws, saying how to install it, where there is none. */
export function requireChromium(): string {
    requireTool(chromium);
    return chromiumPath()!;
}

/** Throws, saying how to install it, where python3 is not on PATH. */
export function requirePython(): void {
    requireTool(python3);
}
