/**
 * Sandboxed execution of a code snippet or shell command, with the request and response shape of
 * the Factory seed's `POST /api/evals/execute`. Two sandboxes answer it: a local child process
 * (see local-sandbox.ts) and a Daytona cloud sandbox (see daytona-sandbox.ts).
 */

export type SandboxLanguage = 'python' | 'typescript' | 'javascript';

export type SandboxKind = 'local' | 'daytona';

export interface SandboxFile {
    /** Relative to the sandbox's working directory; may not leave it. */
    path: string;
    content: string;
}

export interface SandboxRequest {
    /** The language of `code`; default 'python'. Ignored for `command`. */
    language?: SandboxLanguage;
    /** Exactly one of `code` and `command`. */
    code?: string;
    /** Run through `/bin/sh -c`. */
    command?: string;
    /** Arguments after the script (`sys.argv[1:]`, `process.argv.slice(2)`); for `code` only. */
    argv?: string[];
    env?: Record<string, string>;
    /** Seconds; default 30, at most 3600. */
    timeout?: number;
    /** Written into the working directory before the run. */
    files?: SandboxFile[];
    /** `blockAll` defaults to true: no network unless the request sets it to false. */
    network?: { blockAll?: boolean };
}

export interface SandboxResponse {
    /** The run finished in time with exit code 0. */
    ok: boolean;
    /** The process's exit code; 128 + the signal's number when a signal ended it (137 after a kill). */
    exitCode: number;
    stdout: string;
    /** Empty on Daytona, whose toolbox returns stdout and stderr together in `stdout`. */
    stderr: string;
    artifacts: { stdout: string, charts: unknown[] };
    /** The run was killed when its timeout elapsed. */
    timedOut: boolean;
    /** The output passed the sandbox's limit: it was cut there (and a local run killed). */
    truncated: boolean;
    /** 'blocked', or 'unblocked: <why>' — the request allowed it, or blocking is impossible here. */
    network: string;
    /** How memory was limited: 'limited to 512 MB (…)', or 'unlimited: <why>'. */
    memory: string;
    sandbox: SandboxKind;
    durationMs: number;
}

export interface Sandbox {
    readonly kind: SandboxKind;
    /**
     * Runs the request. Throws a SandboxRequestError for an invalid request and a SandboxError when
     * the sandbox cannot run it (a missing runtime, Daytona refusing the key); what the code does —
     * fail, crash, time out — is in the response.
     */
    run(request: SandboxRequest): Promise<SandboxResponse>;
}

/** The request is malformed; the message names the field. */
export class SandboxRequestError extends Error {
    override readonly name = 'SandboxRequestError';
}

/** The sandbox could not run the request; the message says what to install or configure. */
export class SandboxError extends Error {
    override readonly name = 'SandboxError';
}
