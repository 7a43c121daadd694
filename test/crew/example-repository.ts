import * as fs from 'node:fs';
import * as path from 'node:path';
import { Sandbox } from '../lineage/git-sandbox.js';

const examples = path.resolve(import.meta.dirname, '../../examples');

/**
 * An example folder committed in a fresh repository, with `desire` written into its spec but not
 * committed — as a user who just added a desire would have it.
 */
export function exampleRepository(example: string, spec: string, desire: string): { sandbox: Sandbox, file: string, text: string } {
    const sandbox = new Sandbox();
    fs.cpSync(path.join(examples, example), sandbox.folder, { recursive: true });
    sandbox.git('init', '--quiet', '--initial-branch=main');
    sandbox.git('add', '--all');
    sandbox.git('commit', '--quiet', '-m', 'Start');
    const file = sandbox.path(spec);
    const text = fs.readFileSync(file, 'utf8').replace('  desires {\n', `  desires {\n${desire}`);
    fs.writeFileSync(file, text);
    return { sandbox, file, text };
}
