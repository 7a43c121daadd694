// `npm start`: until the VS Code extension lands (it will open VS Code on examples/), run the
// product's CLI on the examples: validation, the spec graph summary, and each example's growth
// since its approved version.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const cli = path.resolve('bin/fspec.cjs');
const fspec = (args, cwd = '.') => {
    process.stdout.write(`\n$ fspec ${args.join(' ')}${cwd === '.' ? '' : `   (in ${cwd})`}\n`);
    const { status } = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', cwd });
    return status;
};

let failed = fspec(['validate', 'examples']) !== 0;
for (const example of fs.readdirSync('examples')) {
    const folder = path.join('examples', example);
    const spec = fs.readdirSync(folder).find(f => f.endsWith('.fspec'));
    const approved = fs.readdirSync(path.join(folder, '.factory', 'approved'))[0];
    failed ||= fspec(['diff', path.join('.factory', 'approved', approved), spec], folder) !== 0;
}
process.stdout.write('\nNext: fspec normalize <file> prints a spec graph; see README.md for the CLI.\n');
process.exitCode = failed ? 1 : 0;
