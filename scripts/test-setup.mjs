// The first step of `npm test`: what the tests need from outside the project — Chromium and Python 3
// from Debian (installed as root, else one sentence saying what to install) and code-server (installed
// into .vscode-test/ on first use) — so a missing piece stops the run at once, before anything starts.
import { ensureCodeServer } from './code-server.mjs';
import { stopWhenOrphanedOrSignalled } from './process-lifetime.mjs';
import { ensureSystemPackages, MissingTool, testTools } from './system-tools.mjs';

const shutdown = stopWhenOrphanedOrSignalled();
try {
    ensureSystemPackages(testTools);
    await ensureCodeServer();
    await shutdown(undefined, 0);
} catch (error) {
    await shutdown(error instanceof MissingTool ? error.message : `Setting up the tests failed: ${error.message}`, 1);
}
