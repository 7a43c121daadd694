// `npm run vsix`: out/factory-fspec.vsix with @vscode/vsce, saying only where it went (vsce also lists
// every packaged file; `npx vsce ls --tree` shows that list). On failure everything vsce said is shown.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { root } from './code-server.mjs';

const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
// No repository field: the project is not published to a marketplace, which is what vsce asks it for.
const args = ['package', '--no-dependencies', '--no-rewrite-relative-links', '--skip-license', '--allow-missing-repository', '--out', 'out/factory-fspec.vsix'];
const result = spawnSync(vsce, args, { cwd: root, encoding: 'utf8' });
const output = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
if (result.status !== 0) {
    process.stderr.write(output || `vsce failed: ${result.error?.message ?? `exit ${result.status}`}\n`);
    process.exit(result.status ?? 1);
}
const lines = output.split('\n');
const said = [...lines.filter(line => /^\s*WARNING\s/.test(line)), lines.find(line => line.includes('Packaged:')) ?? 'Packaged out/factory-fspec.vsix'];
process.stdout.write(said.map(line => `${line.replace(/^\s*DONE\s+/, '').trim()}\n`).join(''));
