import * as fs from 'node:fs';
import * as path from 'node:path';
import { Sandbox } from '../lineage/git-sandbox.js';
import { addDesires, examplesFolder, realizedExample } from './example-specs.js';

/**
 * An example folder committed in a fresh repository, its spec as its last growth left it (every
 * desire realized, see realizedExample), with `desire` written into the spec but not committed —
 * as a user who just added a desire would have it.
 */
export function exampleRepository(example: string, spec: string, desire: string): { sandbox: Sandbox, file: string, text: string } {
    const sandbox = new Sandbox();
    fs.cpSync(path.join(examplesFolder, example), sandbox.folder, { recursive: true });
    const file = sandbox.path(spec);
    const realized = realizedExample(path.join(examplesFolder, example, spec));
    fs.writeFileSync(file, realized);
    sandbox.git('init', '--quiet', '--initial-branch=main');
    sandbox.git('add', '--all');
    sandbox.git('commit', '--quiet', '-m', 'Start');
    const text = addDesires(realized, desire, spec);
    fs.writeFileSync(file, text);
    return { sandbox, file, text };
}
