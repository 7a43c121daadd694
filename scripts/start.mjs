// `npm start`: VS Code with the extension on examples/. Desktop VS Code when `code` is on PATH
// (the extension loaded from this folder); otherwise code-server on 127.0.0.1 with the packaged
// .vsix installed, as users get it. Set FSPEC_PORT to choose the port (default 8080, else a free one).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureCodeServer, freePort, installExtension, root, startCodeServer } from './code-server.mjs';

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
    npm('run', '--silent', 'vsix');
    ensureCodeServer();
    // One state folder across runs, so the user's settings and open editors stay.
    const state = path.join(root, '.vscode-test', 'start');
    fs.mkdirSync(state, { recursive: true });
    installExtension(path.join(root, 'out', 'factory-fspec.vsix'), state);
    const server = await startCodeServer({ stateDir: state, port: await portToUse(), stdio: 'inherit' });
    const url = `${server.url}/?folder=${encodeURIComponent(examples)}`;
    process.stdout.write(`\nVS Code (code-server) with the Factory .fspec extension on examples/:\n\n  ${url}\n\n`
        + `Open ${path.relative(examples, firstSpec)} and click "Open Preview to the Side" in the editor's title bar. Ctrl+C stops the server.\n`);
    const stop = async () => { await server.stop(); process.exit(0); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Keep the process alive while code-server runs.
    setInterval(() => undefined, 1 << 30);
}
