import * as path from 'node:path';
import { SandboxRequestError, type SandboxFile, type SandboxLanguage, type SandboxRequest } from './sandbox.js';

/** A request checked field by field, with the seed's defaults filled in. */
export interface ValidSandboxRequest {
    language: SandboxLanguage;
    run: { code: string } | { command: string };
    argv: string[];
    env: Record<string, string>;
    timeoutSeconds: number;
    /** Paths normalized (`./a//b` → `a/b`) and known to stay inside the working directory. */
    files: SandboxFile[];
    blockNetwork: boolean;
    /** The request said `network.blockAll: true` itself, rather than leaving the default. */
    blockNetworkAsked: boolean;
}

const LANGUAGES: readonly SandboxLanguage[] = ['python', 'typescript', 'javascript'];
const DEFAULT_TIMEOUT_SECONDS = 30;
const MAX_TIMEOUT_SECONDS = 3600;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws a SandboxRequestError naming the first field that is wrong. */
export function validateSandboxRequest(request: SandboxRequest): ValidSandboxRequest {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        throw new SandboxRequestError('The request must be an object with `code` or `command`.');
    }
    const language = request.language ?? 'python';
    if (!LANGUAGES.includes(language)) {
        throw new SandboxRequestError(`language must be one of ${LANGUAGES.join(', ')} (got ${JSON.stringify(language)}).`);
    }
    const argv = stringList(request.argv, 'argv');
    if (request.files !== undefined && !Array.isArray(request.files)) {
        throw new SandboxRequestError('files must be an array of { path, content }.');
    }
    const network = request.network ?? {};
    if (!isObject(network) || (network.blockAll !== undefined && typeof network.blockAll !== 'boolean')) {
        throw new SandboxRequestError('network must be { blockAll?: boolean }.');
    }
    return {
        language,
        run: codeOrCommand(request, argv),
        argv,
        env: environment(request.env),
        timeoutSeconds: timeout(request.timeout),
        files: (request.files ?? []).map(workFile),
        blockNetwork: network.blockAll ?? true,
        blockNetworkAsked: network.blockAll === true
    };
}

function codeOrCommand(request: SandboxRequest, argv: string[]): ValidSandboxRequest['run'] {
    const { code, command } = request;
    if ((code === undefined) === (command === undefined)) {
        throw new SandboxRequestError(code === undefined
            ? 'Give either `code` (a snippet in `language`) or `command` (a shell command): neither was given.'
            : 'Give either `code` or `command`, not both.');
    }
    if (command !== undefined) {
        if (typeof command !== 'string' || !command.trim()) {
            throw new SandboxRequestError('command must be a non-empty string.');
        }
        if (argv.length) {
            throw new SandboxRequestError('argv is for `code`; write a command\'s arguments into the command.');
        }
        return { command };
    }
    if (typeof code !== 'string') {
        throw new SandboxRequestError('code must be a string.');
    }
    return { code };
}

function timeout(value: unknown): number {
    if (value === undefined) {
        return DEFAULT_TIMEOUT_SECONDS;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_SECONDS) {
        throw new SandboxRequestError(`timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS} (got ${JSON.stringify(value)}).`);
    }
    return value;
}

function environment(value: unknown): Record<string, string> {
    if (value === undefined) {
        return {};
    }
    if (!isObject(value)) {
        throw new SandboxRequestError('env must be an object of variable names to string values.');
    }
    for (const [name, text] of Object.entries(value)) {
        if (!ENV_NAME.test(name) || typeof text !== 'string') {
            throw new SandboxRequestError(`env.${name} must be a string under a name of letters, digits and _.`);
        }
    }
    return value as Record<string, string>;
}

function workFile(file: unknown, index: number): SandboxFile {
    if (!isObject(file) || typeof file.path !== 'string' || typeof file.content !== 'string') {
        throw new SandboxRequestError(`files[${index}] must be { path: string, content: string }.`);
    }
    const normalized = path.posix.normalize(file.path);
    if (!file.path || file.path.includes('\0') || path.posix.isAbsolute(normalized) || normalized === '.'
        || normalized === '..' || normalized.startsWith('../') || normalized.endsWith('/')) {
        throw new SandboxRequestError(`files[${index}].path ${JSON.stringify(file.path)} must name a file inside the working directory (a relative path without ..).`);
    }
    return { path: normalized, content: file.content };
}

function stringList(value: unknown, field: string): string[] {
    if (value === undefined) {
        return [];
    }
    if (!Array.isArray(value) || value.some(item => typeof item !== 'string')) {
        throw new SandboxRequestError(`${field} must be an array of strings.`);
    }
    return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
