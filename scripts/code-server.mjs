// Real VS Code without a desktop: code-server (VS Code in the browser, from npm), installed on first
// use into .vscode-test/ and run on 127.0.0.1 with the project's pinned Node 24. Used by `npm start`,
// the real-VS-Code tests and the preview benchmark. Facts: ../shared/recipes/real-vscode-tests.md.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnGroup, stopProcessGroup } from './process-lifetime.mjs';
import { debianPackage, ensureSystemPackages, MissingTool } from './system-tools.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const codeServerVersion = '4.139.1';
const installDir = path.join(root, '.vscode-test', `code-server-${codeServerVersion}`);
const entry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
// code-server 4.139 wants Node 24: the project's own `node` devDependency.
export const node24 = path.join(root, 'node_modules', 'node', 'bin', 'node');
// Native addons (kerberos, native-keymap, keytar) build against these; ripgrep is VS Code's search.
const debianPackages = [
    ...['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config']
        .map(name => debianPackage(name, "headers code-server's native modules build against")),
    debianPackage('ripgrep', "VS Code's search")
];

const log = message => process.stderr.write(`[code-server] ${message}\n`);

/**
 * Node 24's headers for node-gyp. The `node` package puts them beside its binary, but a later
 * `npm install <pkg>` in the project prunes them (they are not in the lockfile); then fetch the same
 * version's package from the npm registry (node-gyp would try nodejs.org, which is not reachable here).
 */
function nodeHeaders() {
    const bundled = path.join(root, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
    if (fs.existsSync(path.join(bundled, 'include', 'node', 'common.gypi'))) return bundled;
    const version = execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim().slice(1);
    const folder = path.join(root, '.vscode-test', `node-headers-${version}`);
    const headers = path.join(folder, 'node_modules', `node-${process.platform}-${process.arch}`);
    if (!fs.existsSync(path.join(headers, 'include', 'node', 'common.gypi'))) {
        fs.mkdirSync(folder, { recursive: true });
        fs.writeFileSync(path.join(folder, 'package.json'), '{ "private": true }');
        execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `node-${process.platform}-${process.arch}@${version}`], { cwd: folder, stdio: 'inherit' });
    }
    return headers;
}

/**
 * The environment without what an outer npm (`npm test`) exported about itself: code-server's
 * postinstall reads the Node version from npm_config_user_agent, which would name the outer npm's Node.
 */
function withoutOuterNpm(env) {
    return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_config_user_agent$|^npm_node_execpath$|^npm_execpath$|^NODE$/i.test(key)));
}

/** Runs a command to its end, printing a line with the elapsed time every `everyMs` while it runs. */
function runWithProgress(command, args, options, what, everyMs = 10_000) {
    const started = Date.now();
    const ticker = setInterval(() => log(`${what}… ${elapsed(started)}`), everyMs);
    return new Promise(resolve => {
        const child = spawnGroup(command, args, { ...options, stdio: ['ignore', 'inherit', 'inherit'] });
        child.once('error', error => resolve({ status: null, error }));
        child.once('exit', status => resolve({ status }));
    }).finally(() => clearInterval(ticker));
}

function elapsed(since) {
    const seconds = Math.round((Date.now() - since) / 1000);
    return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** Installs code-server into .vscode-test/ unless it is already there; resolves to the entry script. */
export async function ensureCodeServer() {
    if (fs.existsSync(entry)) return entry;
    if (!fs.existsSync(node24)) throw new MissingTool(`Node 24 is missing at ${node24}: run npm install first.`);
    ensureSystemPackages(debianPackages, { log: line => log(line) });
    const started = Date.now();
    log(`installing code-server ${codeServerVersion} into ${path.relative(root, installDir)} (first run only: about 4 minutes, mostly building its native modules)`);
    fs.rmSync(installDir, { recursive: true, force: true });
    const tmp = path.join(installDir, 'tmp');
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({ name: 'fspec-code-server', private: true }, null, 2));
    const result = await runWithProgress('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${codeServerVersion}`], {
        cwd: installDir,
        env: {
            ...withoutOuterNpm(process.env),
            // npm and code-server's postinstall must run on Node 24.
            PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH}`,
            // As root, code-server's postinstall stops without this.
            npm_config_unsafe_perm: 'true',
            // Headers for node-gyp from the pinned Node; otherwise it downloads them (there is no internet here).
            npm_config_nodedir: nodeHeaders(),
            TMPDIR: tmp
        }
    }, `installing code-server ${codeServerVersion}`);
    if (result.status !== 0 || !fs.existsSync(entry)) {
        fs.rmSync(installDir, { recursive: true, force: true });
        throw new Error(`npm install code-server@${codeServerVersion} failed (${result.error?.message ?? `exit ${result.status}`}).`);
    }
    log(`installed in ${elapsed(started)}`);
    return entry;
}

export async function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

function stateEnv(stateDir) {
    const tmp = path.join(stateDir, 'tmp');
    for (const dir of ['config', 'data', 'cache', 'tmp']) fs.mkdirSync(path.join(stateDir, dir), { recursive: true });
    return {
        XDG_CONFIG_HOME: path.join(stateDir, 'config'),
        XDG_DATA_HOME: path.join(stateDir, 'data'),
        XDG_CACHE_HOME: path.join(stateDir, 'cache'),
        TMPDIR: tmp
    };
}

// A quiet workbench: no AI chat side bar, no gallery lookups (there is no internet here), no tips.
const workbenchSettings = {
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off'
};

function stateArgs(stateDir) {
    const settings = path.join(stateDir, 'user-data', 'User', 'settings.json');
    if (!fs.existsSync(settings)) {
        fs.mkdirSync(path.dirname(settings), { recursive: true });
        fs.writeFileSync(settings, JSON.stringify(workbenchSettings, null, 2));
    }
    return ['--user-data-dir', path.join(stateDir, 'user-data'), '--extensions-dir', path.join(stateDir, 'extensions')];
}

/** Installs a .vsix into the state folder's extensions, as a user would with "Install from VSIX". */
export async function installExtension(vsix, stateDir) {
    const result = spawnSync(node24, [await ensureCodeServer(), ...stateArgs(stateDir), '--install-extension', vsix], {
        env: { ...process.env, ...stateEnv(stateDir) }, encoding: 'utf8'
    });
    if (result.status !== 0) throw new Error(`installing ${vsix} failed:\n${result.stdout}${result.stderr}`);
}

/**
 * Starts code-server on 127.0.0.1 and resolves once it answers; `stop()` ends it and every process
 * it started (it leads a process group of its own). `env` reaches the extension host (tests pass
 * their driver folder this way).
 */
export async function startCodeServer({ stateDir, port, env = {}, testDriver = false, stdio = 'pipe' }) {
    const args = [await ensureCodeServer(), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...stateArgs(stateDir)];
    // code-server 4.134+ ignores the test payload (extensionTestsPath) without this.
    if (testDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
    const child = spawnGroup(node24, args, { env: { ...process.env, ...stateEnv(stateDir), ...env }, stdio: ['ignore', stdio, stdio] });
    let output = '';
    if (stdio === 'pipe') {
        child.stdout.on('data', chunk => { output += chunk; });
        child.stderr.on('data', chunk => { output += chunk; });
    }
    const exited = new Promise(resolve => child.once('exit', code => resolve(code)));
    const server = { url: `http://127.0.0.1:${port}`, pid: child.pid, exited, output: () => output, stop: () => stopProcessGroup(child) };
    const deadline = Date.now() + 30_000;
    for (;;) {
        if (child.exitCode !== null) {
            await server.stop();
            throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
        }
        try {
            const response = await fetch(`${server.url}/healthz`);
            if (response.ok) return server;
        } catch { /* not listening yet */ }
        if (Date.now() > deadline) {
            await server.stop();
            throw new Error(`code-server did not answer on ${server.url} within 30 s:\n${output}`);
        }
        await new Promise(resolve => setTimeout(resolve, 200));
    }
}
