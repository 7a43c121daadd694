// Runs the real-VS-Code suite: installs the packaged .vsix into a fresh code-server, opens a copy of
// examples/ in headless Chromium and lets VS Code run out/test/vscode-suite.cjs in its extension host.
// The suite asks this runner (through its console output) to act on the page like a user: read the
// Problems panel, press keys, click inside the preview webview. Usage: node test/vscode/run-code-server.mjs [suite.cjs]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { ensureCodeServer, freePort, installExtension, root, startCodeServer } from '../../scripts/code-server.mjs';
import { createDriver, driverPrefix } from './page-driver.mjs';

const suite = path.resolve(process.argv[2] ?? path.join(root, 'out', 'test', 'vscode-suite.cjs'));
const vsix = path.join(root, 'out', 'factory-fspec.vsix');
const results = path.join(root, 'test-results');
const timeoutMs = 240_000;

for (const file of [suite, vsix]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`npm run build && npm run vsix\` first.`);
}
ensureCodeServer();
const state = fs.mkdtempSync(path.join(root, '.vscode-test', 'run-'));
const workspace = path.join(state, 'workspace');
fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
const driverDir = path.join(state, 'driver');
fs.mkdirSync(driverDir);
fs.mkdirSync(results, { recursive: true });

installExtension(vsix, state);
const port = await freePort();
// The extension host inherits this environment: the suite finds the driver's answers and its workspace here.
const server = await startCodeServer({ stateDir: state, port, testDriver: true, env: { FSPEC_DRIVER_DIR: driverDir } });
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(state, 'config'), XDG_CACHE_HOME: path.join(state, 'cache') }
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const driver = createDriver(page, driverDir, results);
const remote = file => `vscode-remote://127.0.0.1:${port}${file}`;
// The test host is an empty extension: the extension under test is the installed .vsix, as users get it.
const payload = [
    ['extensionDevelopmentPath', remote(path.join(root, 'test', 'vscode', 'host'))],
    ['extensionTestsPath', remote(suite)]
];

let exitCode = 124;
const consoleLog = [];
const suitePrefix = '[fspec-suite] ';
const finished = new Promise(resolve => {
    void page.exposeFunction('codeAutomationLog', (type, args) => {
        const text = args.map(a => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
        consoleLog.push(`${type}: ${text}`);
        if (text.startsWith(driverPrefix)) {
            void driver.handle(JSON.parse(text.slice(driverPrefix.length)));
        } else if (text.startsWith(suitePrefix)) {
            process.stdout.write(`${text.slice(suitePrefix.length)}\n`);
        }
    });
    void page.exposeFunction('codeAutomationExit', code => resolve(code));
});
const started = Date.now();
try {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    exitCode = await Promise.race([finished, new Promise(resolve => setTimeout(() => resolve(124), timeoutMs))]);
    if (exitCode === 124) process.stdout.write(`The suite did not finish within ${timeoutMs / 1000} s.\n`);
    if (driver.failures.length > 0 && exitCode === 0) exitCode = 1;
    if (exitCode !== 0) {
        const shot = path.join(results, `code-server-exit-${exitCode}.png`);
        await page.screenshot({ path: shot }).catch(() => undefined);
        fs.writeFileSync(path.join(results, 'vscode-console.log'), consoleLog.join('\n'));
        fs.writeFileSync(path.join(results, 'code-server.log'), server.output());
        process.stdout.write(`${driver.failures.map(f => `Page driver: ${f}\n`).join('')}`
            + `Screenshot, workbench console and server log in ${path.relative(root, results)}/\n`);
    }
} finally {
    await browser.close();
    await server.stop();
    if (exitCode === 0) fs.rmSync(state, { recursive: true, force: true });
    else process.stdout.write(`State kept for inspection: ${path.relative(root, state)}\n`);
}
process.stdout.write(`Real VS Code suite: exit ${exitCode} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(exitCode);
