import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { realizedExample } from '../crew/example-specs.js';

export const root = path.resolve(import.meta.dirname, '../..');
export const farm = path.join(root, 'examples/farmer-contract-allocation');
const cli = path.join(root, 'bin/fspec.cjs');

export interface Run { code: number; stdout: string; stderr: string }

/** The machine's own node (older than 22 here), found on PATH outside the project; the bin hands over from it to the pinned one. */
export function systemNode(): string | undefined {
    return (process.env.PATH ?? '').split(path.delimiter)
        .filter(dir => !dir.includes('node_modules'))
        .map(dir => path.join(dir, 'node'))
        .find(file => fs.existsSync(file));
}

/** Runs the real `fspec` bin in a subprocess, as a user would (with another node binary when given). */
export async function fspec(args: string[], options: { cwd?: string, node?: string } = {}): Promise<Run> {
    try {
        const { stdout, stderr } = await promisify(execFile)(options.node ?? process.execPath, [cli, ...args], { cwd: options.cwd ?? root, maxBuffer: 32 * 1024 * 1024 });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code: number, stdout: string, stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
}

/** Runs the real `fspec` bin in `cwd` with `input` on stdin (answers read as a queue, not from a terminal). */
export function fspecWithInput(args: string[], input: string, cwd: string, env: Record<string, string> = {}): Promise<Run> {
    return new Promise(resolve => {
        const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', chunk => stdout += chunk);
        child.stderr.on('data', chunk => stderr += chunk);
        child.on('close', code => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(input);
    });
}

/**
 * A temporary project holding the farm spec as its last growth left it (every desire realized, see
 * realizedExample; possibly edited) and its approved version.
 */
export function farmProject(edit: (text: string) => string = text => text): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-farm-'));
    fs.cpSync(path.join(farm, '.factory'), path.join(dir, '.factory'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'farm-ops.fspec'), edit(realizedExample(path.join(farm, 'farm-ops.fspec'))));
    return dir;
}
