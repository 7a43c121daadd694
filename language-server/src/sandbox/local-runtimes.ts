import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { findExecutable } from './local-fences.js';
import { SandboxError, type SandboxLanguage } from './sandbox.js';
import type { ValidSandboxRequest } from './sandbox-request.js';

/** How to start one run: the program, its arguments, and what the run's environment needs added. */
export interface RuntimeLaunch {
    file: string;
    args: string[];
    env: Record<string, string>;
    /** The address-space limit the program can live with; see NODE_ADDRESS_SPACE_RESERVE_MB. */
    addressSpaceMb: number;
    /** Node's own heap limit, which holds without prlimit too. */
    heapMb?: number;
}

/** The file the snippet is written to, inside the working directory so that it imports the request's files. */
export const SCRIPT_NAMES: Record<SandboxLanguage, string> = { python: 'main.py', javascript: 'main.js', typescript: 'main.ts' };

/**
 * V8 reserves about 1.2 GB of address space before it runs a line (Node 24 aborts at start under
 * `prlimit --as` below that), so a limit meant for the heap would stop Node from starting at all.
 * Node gets the memory limit as its heap size plus this much address space; a shell command gets the
 * same, since it may well start Node.
 */
export const NODE_ADDRESS_SPACE_RESERVE_MB = 2048;

/** Type stripping arrived in Node 22.6 behind a flag, which 22.18 and 23.6 no longer need. */
const TYPE_STRIPPING = [22, 6] as const;
/** `--disable-wasm-trap-handler` arrived in Node 22.2. */
const WASM_BOUNDS_CHECKS = [22, 2] as const;

export interface RuntimeLimits {
    memoryMb: number;
    /** The Node that runs javascript and typescript, if the user chose one. */
    nodePath?: string;
    /** Where python3 is looked for: the server's PATH, which the run gets too. */
    searchPath: string;
}

/** How to run the request's code or command; throws a SandboxError naming a missing runtime. */
export async function runtimeLaunch(request: ValidSandboxRequest, limits: RuntimeLimits): Promise<RuntimeLaunch> {
    if ('command' in request.run) {
        return { file: '/bin/sh', args: ['-c', request.run.command], env: {}, addressSpaceMb: limits.memoryMb + NODE_ADDRESS_SPACE_RESERVE_MB };
    }
    const script = SCRIPT_NAMES[request.language];
    if (request.language === 'python') {
        const python = findExecutable('python3', limits.searchPath);
        if (!python) {
            throw new SandboxError('python3 not found on PATH: install Python 3 to run python code in the local sandbox.');
        }
        // -u: output is not held in a buffer, so what was printed before a kill is still returned.
        return { file: python, args: ['-u', script, ...request.argv], env: {}, addressSpaceMb: limits.memoryMb };
    }
    const node = await findNode(request.language, limits.nodePath);
    const flags = [`--max-old-space-size=${limits.memoryMb}`];
    if (atLeast(node.version, WASM_BOUNDS_CHECKS)) {
        // WebAssembly memories reserve ~10 GB of address space each, unless bounds are checked in code
        // instead; type stripping itself runs in WebAssembly, so TypeScript would not start otherwise.
        flags.push('--disable-wasm-trap-handler');
    }
    if (request.language === 'typescript' && needsStripFlag(node.version)) {
        flags.push('--experimental-strip-types', '--disable-warning=ExperimentalWarning');
    }
    return {
        file: node.path,
        args: [...flags, script, ...request.argv],
        // VS Code's server runs on Electron's Node, which behaves as Node only when told so.
        env: node.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
        addressSpaceMb: limits.memoryMb + NODE_ADDRESS_SPACE_RESERVE_MB,
        heapMb: limits.memoryMb
    };
}

interface FoundNode { path: string; version: number[]; electron: boolean }

/**
 * The Node that runs snippets: `nodePath` when given, else the project's own (node_modules/node,
 * Node 24, found above the running script), else the one running this server. TypeScript takes
 * the first of them new enough for type stripping.
 */
async function findNode(language: SandboxLanguage, nodePath: string | undefined): Promise<FoundNode> {
    const candidates = [nodePath, projectNode(), process.execPath].filter((file): file is string => !!file && existsSync(file));
    const found: FoundNode[] = [];
    for (const file of new Set(candidates)) {
        const node = file === process.execPath
            ? { path: file, version: versionNumbers(process.versions.node), electron: !!process.versions.electron }
            : { path: file, version: versionNumbers(await nodeVersion(file)), electron: false };
        if (language !== 'typescript' || atLeast(node.version, TYPE_STRIPPING)) {
            return node;
        }
        found.push(node);
    }
    throw new SandboxError(`TypeScript needs Node ≥ 22.6 (it runs with Node's type stripping); found ${found.map(node => `${node.version.join('.')} at ${node.path}`).join(', ') || 'none'}. Run npm install in the project (it provides Node 24) or run the server on a newer Node.`);
}

function projectNode(): string | undefined {
    for (let folder = path.dirname(path.resolve(process.argv[1] ?? '.')); ; folder = path.dirname(folder)) {
        const candidate = path.join(folder, 'node_modules', 'node', 'bin', 'node');
        if (existsSync(candidate)) {
            return candidate;
        }
        if (path.dirname(folder) === folder) {
            return undefined;
        }
    }
}

const versions = new Map<string, Promise<string>>();

function nodeVersion(file: string): Promise<string> {
    let version = versions.get(file);
    if (!version) {
        version = new Promise(resolve => execFile(file, ['--version'], { timeout: 10_000 }, (error, stdout) => resolve(error ? '0' : stdout.trim().replace(/^v/, ''))));
        versions.set(file, version);
    }
    return version;
}

function needsStripFlag(version: number[]): boolean {
    return !atLeast(version, [22, 18]) || (version[0] === 23 && !atLeast(version, [23, 6]));
}

function versionNumbers(text: string): number[] {
    return text.split('.').map(Number);
}

function atLeast(version: number[], minimum: readonly number[]): boolean {
    for (let i = 0; i < minimum.length; i++) {
        if ((version[i] ?? 0) !== minimum[i]) {
            return (version[i] ?? 0) > minimum[i];
        }
    }
    return true;
}
