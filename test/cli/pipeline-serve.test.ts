import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
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

async function serve(options: { simulate?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<PipelineServer> {
    const dir = tempDir();
    const server = await startPipelineServer({ runsFolder: path.join(dir, 'runs'), workdir: dir, env: options.env ?? noModel, simulate: options.simulate });
    cleanups.push(() => server.close());
    return server;
}

async function call(server: PipelineServer, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(`${server.url}${route}`, {
        method, ...(body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    });
    return { status: response.status, json: await response.json() };
}

/** Polls the run's status until `until` holds for it. */
async function statusWhen(server: PipelineServer, id: string, until: (status: any) => boolean): Promise<any> {
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

describe('fspec pipeline serve', () => {
    it('[#97] starts a run from DOT source, reports its status and checkpoint, and streams its events over SSE', async () => {
        const server = await serve({ simulate: true });
        const started = await call(server, 'POST', '/pipelines', { dot: smoke });
        expect(started.status).toBe(201);
        const { id } = started.json;
        const events = await fetch(`${server.url}/pipelines/${id}/events`).then(response => response.text());
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
        const graph = await fetch(`${server.url}/pipelines/${id}/graph`).then(response => response.text());
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
        const raw = await fetch(`${server.url}/pipelines`, { method: 'POST', headers: { 'Content-Type': 'text/vnd.graphviz' }, body: smoke });
        expect(raw.status).toBe(422);
        expect((await raw.json()).error).toContain('test_pipeline has LLM stages (plan, implement, review) and no model is configured');
        expect((await call(server, 'GET', '/pipelines/nope')).status).toBe(404);
        expect((await call(server, 'GET', '/nowhere')).status).toBe(404);
        expect((await call(server, 'DELETE', `/pipelines/${id}`)).status).toBe(405);
        const badJson = await fetch(`${server.url}/pipelines`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{dot' });
        expect(badJson.status).toBe(400);
        expect((await badJson.json()).error).toMatch(/^the request body is not a JSON object: /);
        // The budgets are read as `pipeline run` reads its flags, named as the request names them.
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_tokens: -1 } })).json.error).toBe('limits.max_tokens -1: expected a whole number ≥ 0');
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_wall_time: 'soon' } })).json.error)
            .toBe('limits.max_wall_time soon: expected a duration such as 90s, 15m, 2h or plain seconds');
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, limits: { max_turns: 3 } })).status).toBe(400);
        expect((await call(server, 'POST', '/pipelines', { dot: smoke, simulate: 'yes' })).json.error).toBe('simulate must be true or false');
        expect((await call(server, 'POST', '/pipelines', { context: {} })).status).toBe(400);
        expect((await call(server, 'GET', '/run')).status).toBe(405);
        const put = await fetch(`${server.url}/pipelines`, { method: 'PUT' });
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

    it('refuses a crew pipeline with the message of pipeline run; takes DOT as plain text, and JSON sent as a form (curl -d)', async () => {
        const server = await serve({ simulate: true });
        const crew = await fetch(`${server.url}/pipelines`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: fs.readFileSync(path.join(root, 'language-server/src/crew/crew.dot'), 'utf8') });
        expect(crew.status).toBe(422);
        const { error } = await crew.json();
        expect(error).toContain('is a crew pipeline (refine: crew.refine');
        expect(error).toContain('`fspec grow <spec.fspec>`');

        const plain = await fetch(`${server.url}/pipelines`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: smoke });
        expect(plain.status).toBe(201);
        const form = await fetch(`${server.url}/pipelines`, {
            method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: JSON.stringify({ dot: smoke, context: { env: 'staging' } })
        });
        expect(form.status).toBe(201);
        const { id } = await form.json();
        expect((await statusWhen(server, (await plain.json()).id, ended)).status).toBe('success');
        expect((await statusWhen(server, id, ended)).status).toBe('success');
        expect((await call(server, 'GET', `/pipelines/${id}/context`)).json.env).toBe('staging');
    });

    it('a live event stream follows a run waiting at a gate: the question, the graph marking the gate, then the rest after the answer', async () => {
        const server = await serve();
        const { json: { id } } = await call(server, 'POST', '/pipelines', { dot: gate });
        await statusWhen(server, id, status => status.status === 'waiting');
        const response = await fetch(`${server.url}/pipelines/${id}/events`);
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

        const graph = await fetch(`${server.url}/pipelines/${id}/graph`);
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

    it('[#97] through the bin: serve prints its URL, a run started with POST /run succeeds', async () => {
        const dir = tempDir();
        const child = spawn(process.execPath, [path.join(root, 'bin/fspec.cjs'), 'pipeline', 'serve', '--port', '0', '--simulate'], { cwd: dir, env: { ...process.env, ...noModel }, stdio: ['ignore', 'pipe', 'pipe'] });
        cleanups.push(() => child.kill('SIGKILL'));
        const url = await new Promise<string>((resolve, reject) => {
            let out = '';
            child.stdout!.on('data', chunk => {
                out += chunk;
                const match = /Serving pipelines on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
                if (match) {
                    resolve(match[1]);
                }
            });
            child.on('close', code => reject(new Error(`serve exited with ${code}`)));
        });
        const server = { url } as PipelineServer;
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
