import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPipelineServer, type PipelineServer } from '../../language-server/src/cli/pipeline-serve.js';
import { answerQuestion } from '../../language-server/src/crew/engine/question-store.js';
import { startScriptedOpenAiServer, streamedText } from '../crew/llm/scripted-openai-server.js';
import { root } from './run-fspec.js';

/** `fspec pipeline serve` (§9.5): in-process over real HTTP, and once through the real bin. */

const fixtures = path.join(root, 'test/crew/engine/fixtures');
const smoke = fs.readFileSync(path.join(fixtures, 'smoke-11-13.dot'), 'utf8');
const gate = fs.readFileSync(path.join(fixtures, 'human-gate.dot'), 'utf8');
const noModel = { FSPEC_CREW_PROVIDER: '', FSPEC_CREW_BASE_URL: '', FSPEC_CREW_MODEL: '', FSPEC_CREW_API_KEY: '' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
        await cleanup();
    }
});

function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-serve-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}

async function serve(options: { simulate?: boolean; env?: NodeJS.ProcessEnv; maxRuns?: number; noAuth?: boolean } = {}): Promise<PipelineServer> {
    const dir = tempDir();
    const server = await startPipelineServer({
        runsFolder: path.join(dir, 'runs'), workdir: dir, env: options.env ?? noModel, simulate: options.simulate, maxRuns: options.maxRuns, noAuth: options.noAuth
    });
    cleanups.push(() => server.close());
    return server;
}

/** A request to the server as its client makes it: with its token. */
function send(server: Pick<PipelineServer, 'url' | 'token'>, route: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${server.url}${route}`, { ...init, headers: { ...(server.token && { Authorization: `Bearer ${server.token}` }), ...init.headers as Record<string, string> } });
}

async function call(server: Pick<PipelineServer, 'url' | 'token'>, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await send(server, route, {
        method, ...(body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    });
    return { status: response.status, json: await response.json() };
}

/** Polls the run's status until `until` holds for it. */
async function statusWhen(server: Pick<PipelineServer, 'url' | 'token'>, id: string, until: (status: any) => boolean): Promise<any> {
    const deadline = Date.now() + 20_000;
    for (;;) {
        const { json } = await call(server, 'GET', `/pipelines/${id}`);
        if (until(json)) {
            return json;
        }
        if (Date.now() > deadline) {
            throw new Error(`run ${id} never reached the state waited for; last: ${JSON.stringify(json)}`);
        }
        await new Promise(resolve => setTimeout(resolve, 50));
    }
}

const ended = (status: any) => ['success', 'fail', 'cancelled'].includes(status.status);

/** A pipeline whose tool stage runs a shell command: what an attacker would send. */
const toolDot = (command: string) => `digraph Attack {
    start [shape=Mdiamond]
    run [shape=parallelogram, tool_command="${command}"]
    done [shape=Msquare]
    start -> run -> done
}`;

/** A raw HTTP request, with headers fetch would not let a test set (Host). */
function rawRequest(server: PipelineServer, options: { method?: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, response => {
            let body = '';
            response.on('data', chunk => body += chunk);
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on('error', reject);
        request.end(options.body);
    });
}

describe('fspec pipeline serve refuses what is not its own client\'s (each request below ran a command on the previous main)', () => {
    it('a request without the token, or with another one, is 401 and runs nothing; the URL\'s ?token= works and sets a cookie that works', async () => {
        const server = await serve({ simulate: true });
        const marker = path.join(tempDir(), 'ran');
        const attack = JSON.stringify({ dot: toolDot(`touch ${marker}`) });
        const anonymous = await fetch(`${server.url}/pipelines`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: attack });
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
        expect((await anonymous.json()).error).toMatch(/^this server needs its token: send Authorization: Bearer <token>/);
        const guessed = await fetch(`${server.url}/pipelines`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer guess' }, body: attack });
        expect(guessed.status).toBe(401);
        expect((await fetch(`${server.url}/pipelines/x/context`)).status).toBe(401);
        expect(fs.existsSync(marker)).toBe(false);

        expect(server.openUrl).toBe(`${server.url}/?token=${server.token}`);
        const opened = await fetch(server.openUrl);
        expect(opened.status).toBe(200);
        expect((await opened.json()).server).toBe('fspec pipeline serve');
        const cookie = opened.headers.get('set-cookie')!;
        expect(cookie).toBe(`fspec_token=${server.token}; HttpOnly; SameSite=Strict; Path=/`);
        expect((await fetch(`${server.url}/pipelines`, { headers: { Cookie: cookie.split(';')[0] } })).status).toBe(200);
    });

    it('a cross-site "simple" POST (text/plain, form) is refused before it is read, token or not: 415', async () => {
        const server = await serve({ simulate: true });
        const marker = path.join(tempDir(), 'ran');
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/vnd.graphviz']) {
            const response = await send(server, '/pipelines', { method: 'POST', headers: { 'Content-Type': type }, body: JSON.stringify({ dot: toolDot(`touch ${marker}`) }) });
            expect({ type, status: response.status }).toEqual({ type, status: 415 });
        }
        expect((await send(server, '/pipelines', { method: 'POST', body: toolDot(`touch ${marker}`) })).status).toBe(415);
        expect(fs.existsSync(marker)).toBe(false);
        expect((await call(server, 'GET', '/pipelines')).json).toEqual([]);
    });

    it('a Host that is not the server\'s address (DNS rebinding) or a foreign Origin is 403, even with the token', async () => {
        const server = await serve({ simulate: true });
        const { port } = new URL(server.url);
        const auth = { Authorization: `Bearer ${server.token}` };
        const rebound = await rawRequest(server, { path: '/pipelines', headers: { ...auth, Host: `attacker.example:${port}` } });
        expect(rebound.status).toBe(403);
        expect(JSON.parse(rebound.body).error).toBe(`Host "attacker.example:${port}" is not this server's address`);
        expect((await rawRequest(server, { path: '/pipelines', headers: { ...auth, Host: `localhost:${port}` } })).status).toBe(200);
        const foreign = await send(server, '/pipelines', { headers: { Origin: 'http://attacker.example' } });
        expect(foreign.status).toBe(403);
        expect((await send(server, '/pipelines', { headers: { Origin: server.url } })).status).toBe(200);
    });

    it('a body over 5 MB is answered 413; more runs than --max-runs at once are answered 429', async () => {
        const server = await serve({ maxRuns: 1 });
        const huge = await send(server, '/pipelines', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dot: 'x'.repeat(6 * 1024 * 1024) }) });
        expect(huge.status).toBe(413);
        expect((await huge.json()).error).toBe('the request body is larger than 5 MB');
        const first = await call(server, 'POST', '/pipelines', { dot: gate });
        expect(first.status).toBe(201);
        const second = await call(server, 'POST', '/pipelines', { dot: gate });
        expect(second.status).toBe(429);
        expect(second.json.error).toBe('1 runs are going, as many as this server runs at once (--max-runs 1); start this one when one has ended');
        await call(server, 'POST', `/pipelines/${first.json.id}/cancel`);
        expect((await call(server, 'POST', '/pipelines', { dot: gate })).status).toBe(201);
    });

    it('with noAuth (--no-auth) no token is asked, and the Host and Origin checks still hold', async () => {
        const server = await serve({ simulate: true, noAuth: true });
        expect(server.token).toBeUndefined();
        expect(server.openUrl).toBe(server.url);
        expect((await fetch(`${server.url}/pipelines`)).status).toBe(200);
        expect((await fetch(`${server.url}/pipelines`, { headers: { Origin: 'http://attacker.example' } })).status).toBe(403);
    });
});

describe('fspec pipeline serve', () => {
    it('[#97] starts a run from DOT source, reports its status and checkpoint, and streams its events over SSE', async () => {
        const server = await serve({ simulate: true });
        const started = await call(server, 'POST', '/pipelines', { dot: smoke });
        expect(started.status).toBe(201);
        const { id } = started.json;
        const events = await send(server, `/pipelines/${id}/events`).then(response => response.text());
        const kinds = [...events.matchAll(/^event: (\w+)$/gm)].map(match => match[1]);
        expect(kinds[0]).toBe('PipelineStarted');
        expect(kinds.slice(-2)).toEqual(['PipelineCompleted', 'end']);
        expect(kinds.filter(kind => kind === 'StageCompleted')).toHaveLength(5);

        const status = await statusWhen(server, id, ended);
        expect(status).toMatchObject({ id, name: 'test_pipeline', status: 'success', completed_nodes: ['start', 'plan', 'implement', 'review', 'done'], questions: [] });
        const checkpoint = await call(server, 'GET', `/pipelines/${id}/checkpoint`);
        expect(checkpoint.json.current_node).toBe('done');
        expect(fs.readFileSync(path.join(status.logs_root, 'plan', 'response.md'), 'utf8')).toBe('[Simulated] Response for stage: plan');
        const context = await call(server, 'GET', `/pipelines/${id}/context`);
        expect(context.json.last_stage).toBe('review');
        const graph = await send(server, `/pipelines/${id}/graph`).then(response => response.text());
        expect(graph).toMatch(/^flowchart TD/);
        expect((await call(server, 'GET', '/pipelines')).json.map((run: any) => run.id)).toEqual([id]);
    });

    it('[#97] a human gate waits for an answer over HTTP, then the run takes the chosen edge', async () => {
        const server = await serve();
        const { json: { id } } = await call(server, 'POST', '/pipelines', { dot: gate });
        const waiting = await statusWhen(server, id, status => status.status === 'waiting');
        expect(waiting.current_node).toBe('gate');
        expect(waiting.questions).toMatchObject([{ id: 'q-1', text: 'Ship the release?', options: [{ key: 'S', label: '[S] Ship it' }, { key: 'H', label: '[H] Hold' }] }]);
        expect((await call(server, 'GET', `/pipelines/${id}/questions`)).json).toHaveLength(1);

        const wrong = await call(server, 'POST', `/pipelines/${id}/questions/q-1/answer`, { answer: 'maybe' });
        expect(wrong.status).toBe(422);
        const answered = await call(server, 'POST', `/pipelines/${id}/questions/q-1/answer`, { answer: 'S' });
        expect(answered.status).toBe(200);
        expect(answered.json.selected_option).toMatchObject({ key: 'S', label: '[S] Ship it' });
        const again = await call(server, 'POST', `/pipelines/${id}/questions/q-1/answer`, { answer: 'H' });
        expect(again.status).toBe(409);
        expect(again.json.error).toContain('q-1 is already answered');
        const done = await statusWhen(server, id, ended);
        expect(done.status).toBe('success');
        expect(done.completed_nodes).toEqual(['start', 'prepare', 'gate', 'ship', 'done']);
        expect((await call(server, 'POST', `/pipelines/${id}/questions/q-9/answer`, { answer: 'S' })).status).toBe(404);
    });

    it('[#97] the DoD names work too: POST /run, GET /status?id=, POST /answer; and a gate answers from another process through the store', async () => {
        const server = await serve();
        const first = await call(server, 'POST', '/run', { dot: gate });
        expect(first.status).toBe(201);
        await statusWhen(server, first.json.id, status => status.status === 'waiting');
        const viaAlias = await call(server, 'POST', '/answer', { id: first.json.id, question: 'q-1', answer: 'Hold' });
        expect(viaAlias.status).toBe(200);
        const held = await statusWhen(server, first.json.id, ended);
        expect(held.completed_nodes).toContain('hold');
        expect((await call(server, 'GET', `/status?id=${first.json.id}`)).json.status).toBe('success');

        const second = await call(server, 'POST', '/run', { dot: gate });
        const waiting = await statusWhen(server, second.json.id, status => status.status === 'waiting');
        // What `fspec pipeline answer <run-dir> q-1 S` does from another process.
        answerQuestion(waiting.logs_root, 'q-1', 'S');
        expect((await statusWhen(server, second.json.id, ended)).completed_nodes).toContain('ship');
    });

    it('cancels a running run; refuses invalid pipelines with located diagnostics, unknown runs and routes, bad bodies', async () => {
        const server = await serve();
        const { json: { id } } = await call(server, 'POST', '/pipelines', { dot: gate });
        await statusWhen(server, id, status => status.status === 'waiting');
        const cancelled = await call(server, 'POST', `/pipelines/${id}/cancel`);
        expect(cancelled.json.status).toBe('cancelled');
        expect((await call(server, 'POST', `/pipelines/${id}/cancel`)).status).toBe(409);

        const invalid = await call(server, 'POST', '/pipelines', { dot: 'digraph G { a -> b }' });
        expect(invalid.status).toBe(400);
        expect(invalid.json.error).toBe('the pipeline is not valid; nothing ran');
        expect(invalid.json.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'start_node', severity: 'error', line: 1 })]));
        const noModelRun = await call(server, 'POST', '/pipelines', { dot: smoke });
        expect(noModelRun.status).toBe(422);
        expect(noModelRun.json.error).toContain('test_pipeline has LLM stages (plan, implement, review) and no model is configured');
        expect((await call(server, 'GET', '/pipelines/nope')).status).toBe(404);
        expect((await call(server, 'GET', '/nowhere')).status).toBe(404);
        expect((await call(server, 'DELETE', `/pipelines/${id}`)).status).toBe(405);
        const badJson = await send(server, '/pipelines', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{dot' });
        expect(badJson.status).toBe(400);
        expect((await badJson.json()).error).toMatch(/^the request body is not a JSON object: /);
        // The budgets are read as `pipeline run` reads its flags, named as the request names them.
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_tokens: -1 } })).json.error).toBe('limits.max_tokens -1: expected a whole number ≥ 0');
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_wall_time: 'soon' } })).json.error)
            .toBe('limits.max_wall_time soon: expected a duration such as 90s, 15m, 2h or plain seconds');
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_turns: 3 } })).status).toBe(400);
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_wall_time: '-5m' } })).status).toBe(400);
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_wall_time: -30 } })).status).toBe(400);
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, simulate: 'yes' })).json.error).toBe('simulate must be true or false');
        expect((await call(server, 'POST', '/pipelines', { context: {} })).status).toBe(400);
        expect((await call(server, 'GET', '/run')).status).toBe(405);
        const put = await send(server, '/pipelines', { method: 'PUT' });
        expect(put.status).toBe(405);
        expect(put.headers.get('allow')).toBe('GET, POST');
        expect((await put.json()).error).toBe('/pipelines takes GET or POST, not PUT');
        expect((await call(server, 'GET', '/answer')).status).toBe(405);
        expect((await call(server, 'POST', '/answer', { id: 'nope', question: 'q-1', answer: 'S' })).status).toBe(404);
        expect((await call(server, 'GET', '/status')).status).toBe(404);
        expect((await call(server, 'GET', '/pipelines/%E0%A4%A')).status).toBe(400);
        // Nothing of the refused requests ran: the one run is the cancelled one.
        expect((await call(server, 'GET', '/pipelines')).json.map((run: any) => run.status)).toEqual(['cancelled']);
    });

    it('refuses a crew pipeline with the message of pipeline run; starts a run with initial context values', async () => {
        const server = await serve({ simulate: true });
        const crew = await call(server, 'POST', '/pipelines', { dot: fs.readFileSync(path.join(root, 'language-server/src/crew/crew.dot'), 'utf8') });
        expect(crew.status).toBe(422);
        expect(crew.json.error).toContain('is a crew pipeline (refine: crew.refine');
        expect(crew.json.error).toContain('`fspec grow <spec.fspec>`');

        const { status, json: { id } } = await call(server, 'POST', '/pipelines', { dot: smoke, context: { env: 'staging' } });
        expect(status).toBe(201);
        expect((await statusWhen(server, id, ended)).status).toBe('success');
        expect((await call(server, 'GET', `/pipelines/${id}/context`)).json.env).toBe('staging');
    });

    it('a live event stream follows a run waiting at a gate: the question, the graph marking the gate, then the rest after the answer', async () => {
        const server = await serve();
        const { json: { id } } = await call(server, 'POST', '/pipelines', { dot: gate });
        await statusWhen(server, id, status => status.status === 'waiting');
        const response = await send(server, `/pipelines/${id}/events`);
        expect(response.headers.get('content-type')).toBe('text/event-stream');
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        let text = '';
        /** Reads the stream until `until` holds for all read so far, or the stream ends. */
        const readUntil = async (until: (text: string) => boolean) => {
            while (!until(text)) {
                const { done, value } = await reader.read();
                if (done) {
                    return;
                }
                text += decoder.decode(value, { stream: true });
            }
        };
        const kinds = () => [...text.matchAll(/^event: (\w+)$/gm)].map(match => match[1]);
        // The events so far are replayed: the run is at the gate, asking.
        await readUntil(t => t.includes('event: InterviewStarted'));
        expect(kinds().filter(kind => kind !== 'CheckpointSaved'))
            .toEqual(['PipelineStarted', 'StageStarted', 'StageCompleted', 'StageStarted', 'StageCompleted', 'StageStarted', 'InterviewStarted']);
        const started = JSON.parse(/^event: InterviewStarted\ndata: (.*)$/m.exec(text)![1]);
        expect(started).toMatchObject({ kind: 'InterviewStarted', stage: 'gate', question: { text: 'Ship the release?' } });

        const graph = await send(server, `/pipelines/${id}/graph`);
        expect(graph.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        const mermaid = await graph.text();
        expect(mermaid).toMatch(/^ {2}class \S*gate\S* current$/m);
        expect(mermaid).toMatch(/^ {2}class \S*start\S*,\S*prepare\S* completed$/m);

        expect((await call(server, 'POST', `/pipelines/${id}/questions/q-1/answer`, { answer: 'ship it' })).status).toBe(200);
        await readUntil(() => false);
        const after = kinds().slice(kinds().indexOf('InterviewStarted') + 1);
        expect(after[0]).toBe('InterviewCompleted');
        expect(after.slice(-2)).toEqual(['PipelineCompleted', 'end']);
        const end = JSON.parse(/^event: end\ndata: (.*)$/m.exec(text)![1]);
        expect(end).toMatchObject({ id, status: 'success', completed_nodes: ['start', 'prepare', 'gate', 'ship', 'done'] });
    });

    it('runs LLM stages on the configured model with the request\'s budget', async () => {
        const model = await startScriptedOpenAiServer(streamedText(['A plan'], { prompt_tokens: 40, completion_tokens: 20 }));
        cleanups.push(() => model.close());
        const server = await serve({ env: { ...noModel, FSPEC_CREW_BASE_URL: model.baseUrl, FSPEC_CREW_MODEL: 'stage-test', FSPEC_CREW_API_KEY: 'sk-scripted' } });
        const { json: { id } } = await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_tokens: 50 } });
        const status = await statusWhen(server, id, ended);
        expect(status).toMatchObject({ status: 'fail', failure_reason: 'token budget exceeded: 60 tokens used, max_tokens 50', usage: { total_tokens: 60 }, budget_exceeded: true });
        expect(model.requests).toHaveLength(1);
    });

    it('[#97] through the bin: serve prints its URL with its token, a run started with POST /run succeeds', async () => {
        const dir = tempDir();
        const child = spawn(process.execPath, [path.join(root, 'bin/fspec.cjs'), 'pipeline', 'serve', '--port', '0', '--simulate'], { cwd: dir, env: { ...process.env, ...noModel }, stdio: ['ignore', 'pipe', 'pipe'] });
        cleanups.push(() => child.kill('SIGKILL'));
        const [, url, token] = await new Promise<RegExpExecArray>((resolve, reject) => {
            let out = '';
            child.stdout!.on('data', chunk => {
                out += chunk;
                const match = /Serving pipelines on (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]{32})\n/.exec(out);
                if (match) {
                    resolve(match);
                }
            });
            child.on('close', code => reject(new Error(`serve exited with ${code}`)));
        });
        expect((await call({ url, token: undefined }, 'POST', '/run', { dot: smoke })).status).toBe(401);
        const server = { url, token };
        const started = await call(server, 'POST', '/run', { dot: smoke });
        expect(started.status).toBe(201);
        expect((await statusWhen(server, started.json.id, ended)).status).toBe('success');
        expect(fs.existsSync(path.join(dir, '.factory', 'runs', started.json.id, 'checkpoint.json'))).toBe(true);
        expect(fs.readFileSync(path.join(dir, '.factory', '.gitignore'), 'utf8').split('\n')).toContain('runs/');
        const exited = new Promise(resolve => child.on('close', resolve));
        child.kill('SIGINT');
        expect(await exited).toBe(0);
    });
});
