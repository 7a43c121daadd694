import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runBoundedProcess } from './bounded-process.js';
import { localFences, type LocalFences } from './local-fences.js';
import { runtimeLaunch, SCRIPT_NAMES, type RuntimeLaunch } from './local-runtimes.js';
import { SandboxError, SandboxRequestError, type Sandbox, type SandboxRequest, type SandboxResponse } from './sandbox.js';
import { validateSandboxRequest, type ValidSandboxRequest } from './sandbox-request.js';

export interface LocalSandboxOptions {
    /** The memory a run may use, in MB (default 512); see local-runtimes.ts for how Node counts it. */
    memoryMb?: number;
    /** stdout and stderr together, in bytes (default 1 MiB); past it the run is killed. */
    outputLimitBytes?: number;
    /** The Node that runs javascript and typescript, instead of the project's or the server's own. */
    nodePath?: string;
}

const DEFAULT_MEMORY_MB = 512;
const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024;
/** Where the server's PATH is unset, the programs a shell would find. */
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * Runs each request as a child process of this server in a fresh temporary working directory
 * (removed afterwards), with a timeout, a memory limit, an output limit, no network when the
 * system allows a network namespace, and an environment that holds nothing of the server's but
 * PATH and LANG. It runs as the server's own user: it fences resources, not a hostile program
 * (see docs/sandbox.md).
 */
export class LocalSandbox implements Sandbox {
    readonly kind = 'local';
    private readonly memoryMb: number;
    private readonly outputLimitBytes: number;

    constructor(private readonly options: LocalSandboxOptions = {}) {
        this.memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
        this.outputLimitBytes = options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES;
    }

    async run(request: SandboxRequest): Promise<SandboxResponse> {
        const started = performance.now();
        const valid = validateSandboxRequest(request);
        const fences = await localFences();
        const network = networkFence(valid, fences);
        const searchPath = process.env.PATH || FALLBACK_PATH;
        const launch = await runtimeLaunch(valid, { memoryMb: this.memoryMb, nodePath: this.options.nodePath, searchPath });
        const memory = memoryFence(launch, fences);
        const workDir = await mkdtemp(path.join(tmpdir(), 'fspec-sandbox-'));
        try {
            await writeWorkFiles(workDir, valid);
            const [file, ...args] = [...memory.prefix, ...network.prefix, launch.file, ...launch.args];
            const result = await runBoundedProcess(file, args, {
                cwd: workDir,
                // Nothing of the server's environment (API keys, tokens) reaches the run.
                env: { PATH: searchPath, HOME: workDir, TMPDIR: workDir, LANG: process.env.LANG || 'C.UTF-8', ...valid.env, ...launch.env },
                timeoutMs: valid.timeoutSeconds * 1000,
                outputLimitBytes: this.outputLimitBytes
            });
            return {
                ok: result.exitCode === 0 && !result.timedOut,
                exitCode: result.exitCode,
                stdout: result.stdout,
                stderr: result.stderr,
                artifacts: { stdout: result.stdout, charts: [] },
                timedOut: result.timedOut,
                truncated: result.truncated,
                network: network.description,
                memory: memory.description,
                sandbox: 'local',
                durationMs: Math.round(performance.now() - started)
            };
        } finally {
            await rm(workDir, { recursive: true, force: true });
        }
    }
}

interface Fence { prefix: string[]; description: string }

/**
 * Blocked when a namespace can be made. When it cannot, a request that asked for blocking itself
 * is refused; one that left the default runs, and its response says the network was open and why.
 */
function networkFence(request: ValidSandboxRequest, fences: LocalFences): Fence {
    if (!request.blockNetwork) {
        return { prefix: [], description: 'unblocked: the request set network.blockAll to false' };
    }
    if ('prefix' in fences.network) {
        return { prefix: fences.network.prefix, description: 'blocked' };
    }
    if (request.blockNetworkAsked) {
        throw new SandboxError(`network.blockAll is true, but the network cannot be blocked here: ${fences.network.unavailable}. Set network.blockAll to false to run with the network, or use the Daytona sandbox.`);
    }
    return { prefix: [], description: `unblocked: ${fences.network.unavailable}` };
}

function memoryFence(launch: RuntimeLaunch, fences: LocalFences): Fence {
    const heap = launch.heapMb ? `, ${launch.heapMb} MB heap` : '';
    if ('prlimit' in fences.memory) {
        const bytes = launch.addressSpaceMb * 1024 * 1024;
        return { prefix: [fences.memory.prlimit, `--as=${bytes}`, '--'], description: `limited: ${launch.addressSpaceMb} MB address space${heap}` };
    }
    return { prefix: [], description: launch.heapMb ? `limited: ${launch.heapMb} MB heap only (${fences.memory.unavailable})` : `unlimited: ${fences.memory.unavailable}` };
}

async function writeWorkFiles(workDir: string, request: ValidSandboxRequest): Promise<void> {
    const script = 'code' in request.run ? { path: SCRIPT_NAMES[request.language], content: request.run.code } : undefined;
    for (const [index, file] of request.files.entries()) {
        if (file.path === script?.path) {
            throw new SandboxRequestError(`files[${index}].path ${JSON.stringify(file.path)} is where the ${request.language} code is written; choose another name.`);
        }
        const target = path.join(workDir, file.path);
        try {
            await mkdir(path.dirname(target), { recursive: true });
            await writeFile(target, file.content);
        } catch (error) {
            throw new SandboxRequestError(`files[${index}].path ${JSON.stringify(file.path)} cannot be written: ${(error as Error).message}`);
        }
    }
    if (script) {
        await writeFile(path.join(workDir, script.path), script.content);
    }
}
