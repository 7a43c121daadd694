// Runs the real-VS-Code suite: installs the packaged .vsix into a fresh code-server, opens a copy of
// examples/ in headless Chromium and lets VS Code run out/test/vscode-suite.cjs in its extension host.
// The suite asks this runner (through its console output) to act on the page like a user: read the
// Problems panel, press keys, click inside the preview webview. Usage: node test/vscode/run-code-server.mjs [suite.cjs]
// Whatever ends it (the suite, a failure, a signal, the parent gone), code-server and Chromium stop and
// the state folder is removed; a failure leaves its screenshots, console and server log in test-results/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { ensureCodeServer, freePort, installExtension, root, startCodeServer } from '../../scripts/code-server.mjs';
import { atShutdown, stopWhenOrphanedOrSignalled } from '../../scripts/process-lifetime.mjs';
import { chromiumPath, ensureSystemPackages, MissingTool, testTools } from '../../scripts/system-tools.mjs';
import { createDriver, driverPrefix } from './page-driver.mjs';

const suite = path.resolve(process.argv[2] ?? path.join(root, 'out', 'test', 'vscode-suite.cjs'));
const vsix = path.join(root, 'out', 'factory-fspec.vsix');
const results = path.join(root, 'test-results');
// Pictures the suite takes on purpose (the README's screenshots); failures go to test-results/.
const pictures = path.join(root, 'out', 'screenshots');
const timeoutMs = 240_000;

const shutdown = stopWhenOrphanedOrSignalled();
const fail = (message) => shutdown(message, 1);

for (const file of [suite, vsix]) {
    if (!fs.existsSync(file)) await fail(`${path.relative(root, file)} is missing: run \`npm run build && npm run vsix\` first.`);
}
try {
    ensureSystemPackages(testTools);
    await ensureCodeServer();
} catch (error) {
    await fail(error instanceof MissingTool ? error.message : `Setting up the real-VS-Code suite failed: ${error.message}`);
}
fs.rmSync(results, { recursive: true, force: true });
fs.mkdirSync(pictures, { recursive: true });
const state = fs.mkdtempSync(path.join(root, '.vscode-test', 'run-'));
atShutdown(() => fs.rmSync(state, { recursive: true, force: true }));
const workspace = path.join(state, 'workspace');
fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
const driverDir = path.join(state, 'driver');
fs.mkdirSync(driverDir);

let exitCode = 124;
const consoleLog = [];
const suitePrefix = '[fspec-suite] ';
const started = Date.now();
try {
    await installExtension(vsix, state);
    const port = await freePort();
    // The extension host inherits this environment: the suite finds the driver's answers and its workspace here.
    const server = await startCodeServer({ stateDir: state, port, testDriver: true, env: { FSPEC_DRIVER_DIR: driverDir } });
    atShutdown(async () => {
        await server.stop();
        if (exitCode !== 0) writeFailureFile('code-server.log', server.output());
    });
    const browser = await chromium.launch({
        executablePath: chromiumPath(),
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        env: { ...process.env, XDG_CONFIG_HOME: path.join(state, 'config'), XDG_CACHE_HOME: path.join(state, 'cache') },
        // This runner stops the browser itself, after the screenshot of a failure.
        handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false
    });
    atShutdown(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const driver = createDriver(page, driverDir, { failures: results, pictures });
    atShutdown(async () => {
        if (exitCode === 0) return;
        await page.screenshot({ path: path.join(results, `code-server-exit-${exitCode}.png`) }).catch(() => undefined);
        writeFailureFile('vscode-console.log', consoleLog.join('\n'));
        process.stdout.write(`${driver.failures.map(f => `Page driver: ${f}\n`).join('')}`
            + `Screenshot, workbench console and server log in ${path.relative(root, results)}/\n`);
    });
    const remote = file => `vscode-remote://127.0.0.1:${port}${file}`;
    // The test host is an empty extension: the extension under test is the installed .vsix, as users get it.
    const payload = [
        ['extensionDevelopmentPath', remote(path.join(root, 'test', 'vscode', 'host'))],
        ['extensionTestsPath', remote(suite)]
    ];
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
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    exitCode = await Promise.race([finished, new Promise(resolve => setTimeout(() => resolve(124), timeoutMs))]);
    if (exitCode === 124) process.stdout.write(`The suite did not finish within ${timeoutMs / 1000} s.\n`);
    if (driver.failures.length > 0 && exitCode === 0) exitCode = 1;
} catch (error) {
    exitCode = 1;
    process.stdout.write(`The real-VS-Code suite could not run: ${error.message}\n`);
}
process.stdout.write(`Real VS Code suite: exit ${exitCode} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
await shutdown(undefined, exitCode);

function writeFailureFile(name, text) {
    fs.mkdirSync(results, { recursive: true });
    fs.writeFileSync(path.join(results, name), text);
}
