import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { atomicWrite } from '../../language-server/src/lineage/atomic-write.js';
import { emptyFolder } from './git-sandbox.js';

test('atomicWrite replaces the file, keeps its permissions and leaves no temporary file behind', async () => {
    const folder = emptyFolder();
    const script = path.join(folder, 'grow.sh');
    fs.writeFileSync(script, 'old\n');
    fs.chmodSync(script, 0o750);

    await atomicWrite(script, 'new\n');

    expect(fs.readFileSync(script, 'utf8')).toBe('new\n');
    expect(fs.statSync(script).mode & 0o777).toBe(0o750);
    expect(fs.readdirSync(folder)).toEqual(['grow.sh']);
});

test('atomicWrite creates missing folders for a new artifact', async () => {
    const file = path.join(emptyFolder(), 'out', 'lineage', 'farm-ops.mmd');
    await atomicWrite(file, 'graph TD\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('graph TD\n');
});

test('a write that cannot replace its target leaves no temporary file behind', async () => {
    const folder = emptyFolder();
    const target = path.join(folder, 'spec.fspec');
    fs.mkdirSync(target);

    await expect(atomicWrite(target, 'text')).rejects.toThrow();

    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(fs.readdirSync(folder)).toEqual(['spec.fspec']);
});
