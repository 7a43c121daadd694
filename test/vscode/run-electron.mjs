// The same real-VS-Code suite in desktop VS Code, for machines that have it (`code` on PATH, or
// VSCODE_EXECUTABLE). The page-level steps need the code-server runner's page driver and are skipped
// here; everything asked through the VS Code API runs. Usage: npm run test:electron
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { root } from '../../scripts/code-server.mjs';

function desktopVsCode() {
    if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
    const found = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim();
    return found || undefined;
}

const executable = desktopVsCode();
if (!executable) {
    process.stdout.write('No desktop VS Code here (`code` is not on PATH and VSCODE_EXECUTABLE is unset): use npm run test:vscode (code-server).\n');
    process.exit(0);
}
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-electron-'));
fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
try {
    await runTests({
        vscodeExecutablePath: executable,
        extensionDevelopmentPath: root,
        extensionTestsPath: path.join(root, 'out', 'test', 'vscode-suite.cjs'),
        launchArgs: [workspace, '--disable-workspace-trust']
    });
} finally {
    fs.rmSync(workspace, { recursive: true, force: true });
}
