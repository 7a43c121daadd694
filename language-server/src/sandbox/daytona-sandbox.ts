import {
    Daytona,
    DaytonaAuthenticationError,
    DaytonaError,
    DaytonaProcessExecutionTimeoutError,
    type Process,
    type Sandbox as DaytonaBox
} from '@daytonaio/sdk';
import { SandboxError, type Sandbox, type SandboxRequest, type SandboxResponse } from './sandbox.js';
import { validateSandboxRequest, type ValidSandboxRequest } from './sandbox-request.js';
import type { DaytonaSettings } from './daytona-settings.js';

/**
 * The Daytona cloud sandbox, through @daytonaio/sdk. The SDK is large, so this module is loaded
 * (and bundled as sandbox-daytona.cjs) only when a Daytona run is asked for: see create-sandbox.ts.
 */

/** Every API call but create and the run (which carry their own timeouts) gives up after this; the SDK's default is 24 hours. */
const REQUEST_TIMEOUT_MS = 60_000;
/** What codeRun and executeCommand return (the SDK does not export its name). */
type ExecuteResponse = Awaited<ReturnType<Process['codeRun']>>;

/** The same output limit as the local sandbox's default. */
const OUTPUT_LIMIT_BYTES = 1024 * 1024;
/** Daytona ends a timed-out run itself and reports no exit code; 124 is what timeout(1) reports. */
const TIMED_OUT_EXIT_CODE = 124;

/**
 * Creates an ephemeral sandbox per request (the request's language, env and network setting),
 * uploads the files, runs the code or command, and always deletes the sandbox afterwards.
 */
export class DaytonaSandbox implements Sandbox {
    readonly kind = 'daytona';

    constructor(private readonly settings: DaytonaSettings) {}

    async run(request: SandboxRequest): Promise<SandboxResponse> {
        const started = performance.now();
        const valid = validateSandboxRequest(request);
        const daytona = await daytonaStep('connect', async () => new Daytona({
            apiKey: this.settings.apiKey,
            apiUrl: this.settings.apiUrl,
            target: this.settings.target,
            requestTimeoutMs: REQUEST_TIMEOUT_MS
        }));
        try {
            const box = await daytonaStep('create a sandbox', () => daytona.create({
                language: valid.language,
                envVars: valid.env,
                networkBlockAll: valid.blockNetwork,
                // Should the delete below fail, Daytona deletes the sandbox as soon as it stops.
                ephemeral: true
            }));
            const execution = await deletedAfter(box, () => execute(box, valid));
            return response(execution, valid, Math.round(performance.now() - started));
        } finally {
            // The SDK's event socket would otherwise keep the process alive for minutes.
            await daytona[Symbol.asyncDispose]();
        }
    }
}

/** The run's result, or 'timed out' when Daytona ended it at the request's timeout. */
async function execute(box: DaytonaBox, request: ValidSandboxRequest): Promise<ExecuteResponse | 'timed out'> {
    if (request.files.length) {
        await daytonaStep('upload the files', () => box.fs.uploadFiles(request.files.map(file => ({
            source: Buffer.from(file.content),
            destination: file.path
        }))));
    }
    const timeout = Math.ceil(request.timeoutSeconds);
    try {
        return await ('code' in request.run
            ? box.process.codeRun(request.run.code, { argv: request.argv }, timeout)
            : box.process.executeCommand(request.run.command, undefined, undefined, timeout));
    } catch (error) {
        if (error instanceof DaytonaProcessExecutionTimeoutError) {
            return 'timed out';
        }
        throw daytonaFailure('run the request', error);
    }
}

/**
 * Runs `use`, then deletes the sandbox whatever happened. A failed delete is reported, but never
 * hides the run's own error.
 */
async function deletedAfter<T>(box: DaytonaBox, use: () => Promise<T>): Promise<T> {
    let result: T;
    try {
        result = await use();
    } catch (error) {
        await box.delete().catch((deleteError: unknown) => {
            (error as Error).message += ` (deleting sandbox ${box.id} failed too: ${(deleteError as Error).message})`;
        });
        throw error;
    }
    await daytonaStep(`delete sandbox ${box.id}`, () => box.delete()).catch((error: Error) => {
        error.message += ' (it is ephemeral: Daytona deletes it once it stops)';
        throw error;
    });
    return result;
}

function response(execution: ExecuteResponse | 'timed out', request: ValidSandboxRequest, durationMs: number): SandboxResponse {
    const timedOut = execution === 'timed out';
    const output = timedOut ? '' : execution.result;
    const stdout = Buffer.from(output).subarray(0, OUTPUT_LIMIT_BYTES).toString('utf8');
    const exitCode = timedOut ? TIMED_OUT_EXIT_CODE : execution.exitCode ?? 0;
    return {
        ok: exitCode === 0 && !timedOut,
        exitCode,
        stdout,
        stderr: '',
        artifacts: { stdout, charts: timedOut ? [] : execution.artifacts?.charts ?? [] },
        timedOut,
        truncated: Buffer.byteLength(output) > OUTPUT_LIMIT_BYTES,
        network: request.blockNetwork ? 'blocked' : 'unblocked: the request set network.blockAll to false',
        memory: 'limited: by the Daytona sandbox\'s resources',
        sandbox: 'daytona',
        durationMs
    };
}

/** Runs one call to Daytona, turning its errors into a SandboxError that says what was being done. */
async function daytonaStep<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (error) {
        throw daytonaFailure(what, error);
    }
}

function daytonaFailure(what: string, error: unknown): unknown {
    if (error instanceof DaytonaAuthenticationError) {
        return new SandboxError(`Daytona refused the API key (DAYTONA_API_KEY) when asked to ${what}: ${error.message}`, { cause: error });
    }
    if (error instanceof DaytonaError) {
        const status = error.statusCode ? ` (HTTP ${error.statusCode})` : '';
        return new SandboxError(`Daytona could not ${what}${status}: ${error.message}`, { cause: error });
    }
    return error;
}
