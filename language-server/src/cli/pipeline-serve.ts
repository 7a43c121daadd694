/**
 * `fspec pipeline serve`: the pipeline engine as an HTTP service (§9.5), on 127.0.0.1 by default.
 * A run executes shell commands, so the server is guarded as a local development server should be
 * (the Jupyter and VS Code server model): every request carries the token the server made at start
 * (printed in its URL), the `Host` header must name the address it listens on (no DNS rebinding),
 * an `Origin`, when a browser sends one, must be the server's own, and request bodies are JSON only
 * (a page elsewhere cannot send `application/json` without a CORS preflight, which is never granted).
 * A client submits DOT source and gets a run id; reads the run's status, checkpoint, context and
 * graph; follows its events as server-sent events; answers its human gates; cancels it. Runs are
 * set up as `fspec pipeline run` sets them up (same checks, same model, same budgets) and write
 * the same run directories; their gates use the file-backed question store, so
 * `fspec pipeline answer <run-dir> q-N …` answers them from another process too.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
    Context,
    loadCheckpoint,
    newRunId,
    runPipeline,
    type Checkpoint,
    type DotSourceMap,
    type PipelineEvent,
    type PipelineGraph,
    type PipelineRunResult,
    type RunLimits
} from '../crew/engine/index.js';
import { answerQuestion, listQuestions, QuestionStoreError, readAnswer } from '../crew/engine/question-store.js';
import { renderPipelineFlowchart } from '../render/pipeline-flowchart.js';
import { checkPipeline, ensureRunsFolder, llmStagesText, PipelineInputError, pipelineBackend, pipelineLimits, pipelineRegistry } from './pipeline.js';

export interface PipelineServerOptions {
    readonly host?: string;
    /** 0 picks a free port. */
    readonly port?: number;
    /** Where run directories go. */
    readonly runsFolder: string;
    /** Simulate every run's LLM stages unless a request says otherwise. */
    readonly simulate?: boolean;
    /** Where tool stages and tools of LLM stages work. */
    readonly workdir: string;
    readonly env: NodeJS.ProcessEnv;
    /** A line per run started and ended (the CLI writes them to stderr). */
    readonly log?: (line: string) => void;
    /** Without the token check (`--no-auth`): anything that reaches the port may run commands. */
    readonly noAuth?: boolean;
    /** How many runs may go at once; a start beyond that is answered 429 (default 4). */
    readonly maxRuns?: number;
}

export interface PipelineServer {
    /** The server's address, `http://127.0.0.1:<port>`. */
    readonly url: string;
    /** The token every request must carry (Authorization: Bearer, the fspec_token cookie, or ?token=); undefined with noAuth. */
    readonly token?: string;
    /** The URL to open or share with a client: with `?token=` unless noAuth. */
    readonly openUrl: string;
    /** Cancels the runs still going and stops listening. */
    close(): Promise<void>;
}

/** A run the server started. */
interface ServedRun {
    readonly id: string;
    readonly graph: PipelineGraph;
    readonly sourceMap: DotSourceMap;
    readonly logsRoot: string;
    readonly controller: AbortController;
    readonly startedAt: string;
    readonly events: PipelineEvent[];
    /** Called with each event, and with undefined once the run has ended. */
    readonly listeners: Set<(event: PipelineEvent | undefined) => void>;
    readonly completed: string[];
    readonly failed: string[];
    current?: string;
    result?: PipelineRunResult;
    finishedAt?: string;
    /** Set when the run could not even start (an engine error, not a failed stage). */
    error?: string;
    done: Promise<void>;
}

/** Whether `given` is `token`, compared in constant time. */
function sameToken(given: string, token: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
}

/** An error answer: status and message. */
class HttpError extends Error {
    constructor(readonly status: number, message: string, readonly details?: object, readonly headers?: Record<string, string>) {
        super(message);
    }
}

const MAX_BODY = 5 * 1024 * 1024;

/** The routes, as `GET /` and `--help` list them. */
const routeList = [
    'POST /pipelines { dot, context?, simulate?, auto_approve?, limits? }', 'GET /pipelines', 'GET /pipelines/<id>', 'GET /pipelines/<id>/events (SSE)',
    'POST /pipelines/<id>/cancel', 'GET /pipelines/<id>/questions', 'POST /pipelines/<id>/questions/<q-N>/answer { answer }',
    'GET /pipelines/<id>/checkpoint', 'GET /pipelines/<id>/context', 'GET /pipelines/<id>/graph (Mermaid)', 'POST /run', 'GET /status?id=<id>', 'POST /answer { id, question, answer }'
];

/**
 * A request's body as text. Over MAX_BODY it is refused with 413 before the rest is read (a length
 * announced that large is refused at once); the rest is drained so the answer reaches the client.
 */
function readBody(request: http.IncomingMessage): Promise<string> {
    const tooLarge = () => new HttpError(413, `the request body is larger than ${MAX_BODY / 1024 / 1024} MB`, undefined, { Connection: 'close' });
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY) {
        request.resume();
        return Promise.reject(tooLarge());
    }
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        request.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_BODY) {
                chunks.push(chunk);
            } else if (size - chunk.length <= MAX_BODY) {
                // The chunk that went over: refuse once, and read (drop) the rest.
                chunks.length = 0;
                reject(tooLarge());
            }
        });
        request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        request.on('error', reject);
    });
}

/** A request's JSON body: anything but `application/json` is refused, so no web page can post one without a preflight. */
async function readJson(request: http.IncomingMessage): Promise<Record<string, unknown>> {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
        request.resume();
        throw new HttpError(415, `send the request body as JSON with Content-Type: application/json${type ? `, not ${type}` : ''}`);
    }
    return parseJson(await readBody(request));
}

function parseJson(text: string): Record<string, unknown> {
    if (text.trim() === '') {
        return {};
    }
    try {
        const value = JSON.parse(text) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            throw new Error('expected a JSON object');
        }
        return value as Record<string, unknown>;
    } catch (e) {
        throw new HttpError(400, `the request body is not a JSON object: ${(e as Error).message}`);
    }
}

function send(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body, null, 2);
    response.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
}

/** The `limits` of a request, read as `fspec pipeline run` reads its budget flags (the wall time a duration such as `30m`, or seconds). */
function limitsOf(value: unknown): RunLimits {
    if (value === undefined || value === null) {
        return {};
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
        throw new HttpError(400, 'limits must be an object: { max_tokens?, max_cost?, max_wall_time? }');
    }
    const unknown = Object.keys(value).filter(key => !['max_tokens', 'max_cost', 'max_wall_time'].includes(key));
    if (unknown.length) {
        throw new HttpError(400, `limits.${unknown[0]} is not a budget; limits takes max_tokens, max_cost and max_wall_time`);
    }
    try {
        return pipelineLimits(value, key => `limits.${key}`);
    } catch (e) {
        throw e instanceof PipelineInputError ? new HttpError(400, e.message) : e;
    }
}

/** A JSON field that must be a boolean when given. */
function flag(body: Record<string, unknown>, name: string): boolean | undefined {
    const value = body[name];
    if (value !== undefined && value !== null && typeof value !== 'boolean') {
        throw new HttpError(400, `${name} must be true or false`);
    }
    return (value ?? undefined) as boolean | undefined;
}

function openQuestions(run: ServedRun) {
    return run.result ? [] : listQuestions(run.logsRoot).filter(question => !readAnswer(run.logsRoot, question.id));
}

/** The run's checkpoint, or undefined before its first one. */
function lastCheckpoint(run: ServedRun): Checkpoint | undefined {
    try {
        return loadCheckpoint(run.result?.logs_root ?? run.logsRoot);
    } catch {
        return undefined;
    }
}

function statusOf(run: ServedRun) {
    const questions = openQuestions(run);
    const status = run.error ? 'fail' : run.result?.status ?? (questions.length ? 'waiting' : 'running');
    const failure = run.error ?? run.result?.failure_reason;
    // While the run goes on, the usage of the stages done so far, as its last checkpoint holds it.
    const usage = run.result?.usage ?? lastCheckpoint(run)?.usage;
    return {
        id: run.id,
        name: run.graph.id,
        status,
        current_node: run.current ?? '',
        completed_nodes: run.result?.completed_nodes ?? run.completed,
        ...(failure !== undefined && { failure_reason: failure }),
        ...(usage && { usage }),
        ...(run.result?.budget_exceeded && { budget_exceeded: run.result.budget_exceeded }),
        questions,
        logs_root: run.logsRoot,
        started_at: run.startedAt,
        ...(run.finishedAt && { finished_at: run.finishedAt })
    };
}

export async function startPipelineServer(options: PipelineServerOptions): Promise<PipelineServer> {
    const runs = new Map<string, ServedRun>();
    const maxRuns = options.maxRuns ?? 4;
    const token = options.noAuth ? undefined : randomBytes(24).toString('base64url');
    ensureRunsFolder(options.runsFolder);

    function track(run: ServedRun, event: PipelineEvent): void {
        if (event.kind === 'StageStarted') {
            run.current = event.node_id;
        } else if (event.kind === 'StageCompleted') {
            run.completed.push(event.node_id);
        } else if (event.kind === 'StageFailed' && !event.will_retry) {
            run.failed.push(event.node_id);
        }
        run.events.push(event);
        for (const listener of run.listeners) {
            listener(event);
        }
    }

    async function start(request: http.IncomingMessage): Promise<ServedRun> {
        const body = await readJson(request);
        if (typeof body.dot !== 'string' || body.dot.trim() === '') {
            throw new HttpError(400, 'no pipeline: send JSON { "dot": "<the DOT source>" }');
        }
        const going = [...runs.values()].filter(run => !run.finishedAt).length;
        if (going >= maxRuns) {
            throw new HttpError(429, `${going} runs are going, as many as this server runs at once (--max-runs ${maxRuns}); start this one when one has ended`);
        }
        const context = body.context ?? {};
        if (typeof context !== 'object' || context === null || Array.isArray(context)) {
            throw new HttpError(400, 'context must be an object of initial context values');
        }
        const limits = limitsOf(body.limits);
        const simulate = flag(body, 'simulate') ?? options.simulate;
        const autoApprove = flag(body, 'auto_approve');
        const id = newRunId();
        const logsRoot = path.join(options.runsFolder, id);
        const file = path.join(logsRoot, 'pipeline.dot');
        // The checks of `fspec pipeline validate` and `fspec pipeline run`: the same functions.
        const { graph, sourceMap, records } = checkPipeline(file, body.dot);
        if (!graph || records.some(record => record.severity === 'error')) {
            throw new HttpError(400, 'the pipeline is not valid; nothing ran', { diagnostics: records });
        }
        let backend;
        try {
            backend = await pipelineBackend(file, graph, { simulate, env: options.env, workdir: options.workdir });
        } catch (e) {
            throw e instanceof PipelineInputError ? new HttpError(422, e.message) : e;
        }
        fs.mkdirSync(logsRoot, { recursive: true });
        fs.writeFileSync(file, body.dot);
        // Gates go to the run's question store: answered over HTTP or by `fspec pipeline answer <run-dir> q-N`.
        const { registry } = pipelineRegistry(backend, logsRoot, { autoApprove, pollMs: 100 }, options.workdir);
        const run: ServedRun = {
            id, graph, sourceMap, logsRoot, controller: new AbortController(), startedAt: new Date().toISOString(),
            events: [], listeners: new Set(), completed: [], failed: [], done: Promise.resolve()
        };
        runs.set(id, run);
        options.log?.(`${id}: ${graph.id} started (${llmStagesText(backend)}); run directory ${logsRoot}`);
        run.done = runPipeline(graph, { logsRoot, runId: id, registry, signal: run.controller.signal, limits, context: new Context(context as Record<string, unknown>), onEvent: event => track(run, event) })
            .then(result => {
                run.result = result;
            }, (error: unknown) => {
                run.error = error instanceof Error ? error.message : String(error);
            })
            .finally(() => {
                run.finishedAt = new Date().toISOString();
                run.current = undefined;
                const { status, failure_reason } = statusOf(run);
                const ending = failure_reason === undefined ? status : failure_reason.startsWith(status) ? failure_reason : `${status}: ${failure_reason}`;
                options.log?.(`${id}: ${graph.id} ${ending}`);
                for (const listener of run.listeners) {
                    listener(undefined);
                }
            });
        return run;
    }

    function find(id: string | null | undefined): ServedRun {
        const run = id ? runs.get(id) : undefined;
        if (!run) {
            throw new HttpError(404, id ? `no pipeline run ${id}` : 'which run? give its id');
        }
        return run;
    }

    function answer(run: ServedRun, questionId: string, given: unknown) {
        if (typeof given !== 'string' || given.trim() === '') {
            throw new HttpError(400, 'the answer is missing: send JSON { "answer": "<option key or label, yes/no, or text>" }');
        }
        try {
            return answerQuestion(run.logsRoot, questionId, given);
        } catch (e) {
            if (e instanceof QuestionStoreError) {
                throw new HttpError(e.kind === 'missing' ? 404 : e.kind === 'closed' ? 409 : 422, e.message);
            }
            throw e;
        }
    }

    function stream(run: ServedRun, response: http.ServerResponse): void {
        response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
        const write = (event: PipelineEvent | undefined) => {
            if (event) {
                response.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`);
                return;
            }
            response.write(`event: end\ndata: ${JSON.stringify(statusOf(run))}\n\n`);
            response.end();
        };
        run.events.forEach(event => write(event));
        if (run.finishedAt) {
            write(undefined);
            return;
        }
        run.listeners.add(write);
        response.on('close', () => run.listeners.delete(write));
    }

    function checkpointOf(run: ServedRun): Checkpoint {
        const checkpoint = lastCheckpoint(run);
        if (!checkpoint) {
            throw new HttpError(404, `run ${run.id} has no checkpoint yet`);
        }
        return checkpoint;
    }

    /** Routes a request; returns false when no route has its path. */
    async function route(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<boolean> {
        const method = request.method ?? 'GET';
        const parts = url.pathname.split('/').filter(part => part !== '').map(part => {
            try {
                return decodeURIComponent(part);
            } catch {
                throw new HttpError(400, `${url.pathname} is not a well-formed path`);
            }
        });
        const only = (...allowed: string[]) => {
            if (!allowed.includes(method)) {
                throw new HttpError(405, `${url.pathname} takes ${allowed.join(' or ')}, not ${method}`, undefined, { Allow: allowed.join(', ') });
            }
        };
        if (parts.length === 0) {
            only('GET');
            send(response, 200, { server: 'fspec pipeline serve', runs: runs.size, routes: routeList });
            return true;
        }
        if ((parts.length === 1 && parts[0] === 'pipelines') || (parts.length === 1 && parts[0] === 'run')) {
            if (parts[0] === 'pipelines' && method === 'GET') {
                send(response, 200, [...runs.values()].map(statusOf));
                return true;
            }
            only(...(parts[0] === 'pipelines' ? ['GET', 'POST'] : ['POST']));
            const run = await start(request);
            send(response, 201, { id: run.id, status: statusOf(run).status, logs_root: run.logsRoot });
            return true;
        }
        if (parts.length === 1 && parts[0] === 'status') {
            only('GET');
            send(response, 200, statusOf(find(url.searchParams.get('id'))));
            return true;
        }
        if (parts.length === 1 && parts[0] === 'answer') {
            only('POST');
            const body = await readJson(request);
            const run = find(typeof body.id === 'string' ? body.id : undefined);
            send(response, 200, answer(run, String(body.question ?? ''), body.answer));
            return true;
        }
        if (parts[0] !== 'pipelines' || parts.length < 2) {
            return false;
        }
        const run = find(parts[1]);
        const rest = parts.slice(2).join('/');
        if (rest === '') {
            only('GET');
            send(response, 200, statusOf(run));
        } else if (rest === 'events') {
            only('GET');
            stream(run, response);
        } else if (rest === 'cancel') {
            only('POST');
            if (run.finishedAt) {
                throw new HttpError(409, `run ${run.id} has ended (${statusOf(run).status})`);
            }
            run.controller.abort(new Error('cancelled over HTTP'));
            await run.done;
            send(response, 200, statusOf(run));
        } else if (rest === 'graph') {
            only('GET');
            const text = renderPipelineFlowchart(run.graph, run.sourceMap, { current: run.current, completed: run.completed, failed: run.failed }).mermaid;
            response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
            response.end(text);
        } else if (rest === 'questions') {
            only('GET');
            send(response, 200, openQuestions(run));
        } else if (parts.length === 5 && parts[2] === 'questions' && parts[4] === 'answer') {
            only('POST');
            send(response, 200, answer(run, parts[3], (await readJson(request)).answer));
        } else if (rest === 'checkpoint') {
            only('GET');
            send(response, 200, checkpointOf(run));
        } else if (rest === 'context') {
            only('GET');
            send(response, 200, run.result?.context ?? checkpointOf(run).context);
        } else {
            return false;
        }
        return true;
    }

    /** The `host:port` names a request may give in its Host header, once the port is known; undefined when bound to every address. */
    let ownHosts: Set<string> | undefined;

    /**
     * Refuses a request not meant for this server: a Host that is not its address (a DNS-rebinding
     * page), an Origin other than its own (a page elsewhere), or no token. The token may come as
     * `Authorization: Bearer`, as the `fspec_token` cookie, or as `?token=` (then the answer sets
     * the cookie, so a browser opening the printed URL can go on without it).
     */
    function guard(request: http.IncomingMessage, response: http.ServerResponse, url: URL): void {
        const host = request.headers.host ?? '';
        if (ownHosts && !ownHosts.has(host.toLowerCase())) {
            throw new HttpError(403, `Host ${JSON.stringify(host)} is not this server's address`);
        }
        const origin = request.headers.origin;
        if (origin !== undefined && !(ownHosts ? [...ownHosts].some(own => origin.toLowerCase() === `http://${own}`) : origin.toLowerCase() === `http://${host.toLowerCase()}`)) {
            throw new HttpError(403, `requests from ${origin} are not accepted; this server answers its own clients only`);
        }
        if (!token) {
            return;
        }
        const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        const cookie = /(?:^|;\s*)fspec_token=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
        const query = url.searchParams.get('token') ?? undefined;
        const given = bearer ?? cookie ?? query;
        if (given === undefined || !sameToken(given, token)) {
            throw new HttpError(401, given === undefined
                ? 'this server needs its token: send Authorization: Bearer <token> (the token is in the URL fspec pipeline serve printed)'
                : 'the token is not this server\'s', undefined, { 'WWW-Authenticate': 'Bearer' });
        }
        if (query !== undefined && cookie === undefined) {
            response.setHeader('Set-Cookie', `fspec_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
        }
    }

    const server = http.createServer((request, response) => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        Promise.resolve()
            .then(() => guard(request, response, url))
            .then(() => route(request, response, url))
            .then(found => {
                if (!found) {
                    throw new HttpError(404, `no route ${request.method} ${url.pathname}; see docs/pipelines.md "HTTP mode"`);
                }
            })
            .catch((error: unknown) => {
                if (response.headersSent) {
                    response.end();
                } else if (error instanceof HttpError) {
                    send(response, error.status, { error: error.message, ...error.details }, error.headers);
                } else {
                    send(response, 500, { error: error instanceof Error ? error.message : String(error) });
                }
            });
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address() as import('node:net').AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const loopback = address.address === '127.0.0.1' || address.address === '::1';
    const everyAddress = address.address === '0.0.0.0' || address.address === '::';
    ownHosts = everyAddress ? undefined : new Set([`${host}:${address.port}`, ...(loopback ? [`localhost:${address.port}`] : [])]);
    const url = `http://${host}:${address.port}`;
    return {
        url,
        token,
        openUrl: token ? `${url}/?token=${token}` : url,
        async close() {
            for (const run of runs.values()) {
                run.controller.abort(new Error('the server is shutting down'));
            }
            await Promise.all([...runs.values()].map(run => run.done));
            server.closeAllConnections();
            await new Promise<void>(resolve => server.close(() => resolve()));
        }
    };
}

/** Adds `fspec pipeline serve` to the `pipeline` command. */
export function registerPipelineServeCommand(pipeline: Command): void {
    pipeline.command('serve')
        .description('serve the pipeline engine over HTTP: start runs, read their status, stream their events (SSE), answer human gates, cancel')
        .option('--port <n>', 'the port (default: any free one; the URL is printed)', '0')
        .option('--host <address>', 'the address to listen on', '127.0.0.1')
        .option('--simulate', 'simulate the LLM stages of every run unless its request says "simulate": false')
        .option('--runs <dir>', 'where run directories go (default .factory/runs/ in the current directory)')
        .option('--max-runs <n>', 'how many runs may go at once (more are answered 429)', '4')
        .option('--no-auth', 'accept requests without the token (anything that can reach the port can then run commands as you)')
        .addHelpText('after', `
Every request needs the token printed in the URL: Authorization: Bearer <token> (or the URL's ?token=, which sets a cookie).
Bodies are JSON (Content-Type: application/json). Endpoints: ${routeList.join(', ')}.
Ctrl-C cancels the runs and stops.`)
        .action(async (options: { port: string; host: string; simulate?: boolean; runs?: string; maxRuns: string; auth: boolean }) => {
            const port = Number(options.port);
            if (!Number.isInteger(port) || port < 0 || port > 65535) {
                process.stderr.write(`fspec: --port ${options.port}: expected a port number (0 for any free one)\n`);
                process.exitCode = 2;
                return;
            }
            const maxRuns = Number(options.maxRuns);
            if (!Number.isInteger(maxRuns) || maxRuns < 1) {
                process.stderr.write(`fspec: --max-runs ${options.maxRuns}: expected a whole number ≥ 1\n`);
                process.exitCode = 2;
                return;
            }
            let server: PipelineServer;
            try {
                server = await startPipelineServer({
                    host: options.host, port, simulate: options.simulate, env: process.env, workdir: process.cwd(),
                    runsFolder: path.resolve(options.runs ?? path.join('.factory', 'runs')),
                    log: line => process.stderr.write(`  ${line}\n`),
                    noAuth: !options.auth, maxRuns
                });
            } catch (error) {
                process.stderr.write(`fspec: cannot serve on ${options.host}:${port}: ${(error as Error).message}\n`);
                process.exitCode = 1;
                return;
            }
            if (!options.auth) {
                process.stderr.write(`warning: --no-auth: ${server.url} asks no token, so any program or user that can reach it can run commands as you.\n`);
            }
            process.stdout.write(`Serving pipelines on ${server.openUrl}\n`);
            // Ctrl-C (or a SIGTERM) cancels the runs still going, each resumable from its checkpoint, and stops.
            const signal = await new Promise<NodeJS.Signals>(resolve => {
                process.once('SIGINT', resolve);
                process.once('SIGTERM', resolve);
            });
            process.stderr.write(`  ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: cancelling the runs still going and stopping\n`);
            await server.close();
        });
}
