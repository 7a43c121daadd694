// `npm start`: VS Code with the extension on examples/. Desktop VS Code when `code` is on PATH
// (the extension loaded from this folder); otherwise code-server on 127.0.0.1 with the packaged
// .vsix installed, as users get it. Set FSPEC_PORT to choose the port (default 8080, else a free one).
// Ctrl+C, or INT, TERM or HUP sent to npm, stops code-server and everything it started.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureCodeServer, freePort, installExtension, root, startCodeServer } from './code-server.mjs';
import { stopWhenOrphanedOrSignalled } from './process-lifetime.mjs';
import { MissingTool } from './system-tools.mjs';

const examples = path.join(root, 'examples');
const firstSpec = path.join(examples, 'farmer-contract-allocation', 'farm-ops.fspec');
const npm = (...args) => {
    const { status } = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
    if (status !== 0) process.exit(status ?? 1);
};

async function portToUse() {
    const wanted = Number(process.env.FSPEC_PORT ?? 8080);
    const inUse = await fetch(`http://127.0.0.1:${wanted}/healthz`).then(() => true, () => false);
    return inUse ? freePort() : wanted;
}

npm('run', '--silent', 'build');
if (spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0) {
    spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${root}`, examples, firstSpec], { stdio: 'inherit' });
} else {
    const shutdown = stopWhenOrphanedOrSignalled();
    try {
        npm('run', '--silent', 'vsix');
        await ensureCodeServer();
        // One state folder across runs, so the user's settings and open editors stay.
        const state = path.join(root, '.vscode-test', 'start');
        fs.mkdirSync(state, { recursive: true });
        await installExtension(path.join(root, 'out', 'factory-fspec.vsix'), state);
        const server = await startCodeServer({ stateDir: state, port: await portToUse(), stdio: 'inherit' });
        const url = `${server.url}/?folder=${encodeURIComponent(examples)}`;
        process.stdout.write(`\nVS Code (code-server) with the Factory .fspec extension on examples/:\n\n  ${url}\n\n`
            + `Open ${path.relative(examples, firstSpec)} and click "Open Preview to the Side" in the editor's title bar. Ctrl+C stops the server.\n`);
        const code = await server.exited;
        await shutdown(`code-server stopped by itself (exit ${code}).`, 1);
    } catch (error) {
        await shutdown(error instanceof MissingTool ? error.message : `npm start failed: ${error.stack ?? error}`, 1);
    }
}
