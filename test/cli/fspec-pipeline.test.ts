import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpError, startScriptedOpenAiServer, streamedText, type ScriptedOpenAiServer } from '../crew/llm/scripted-openai-server.js';
import { fspecWithInput, root, type Run } from './run-fspec.js';

/**
 * `fspec pipeline validate | run | answer` through the real bin. Tests are named after the
 * attractor-dod.md items they check ([#124–#133] the smoke test, [S7] the status-file contract, …).
 */

const fixtures = path.join(root, 'test/crew/engine/fixtures');
const cli = path.join(root, 'bin/fspec.cjs');
const smoke = path.join(fixtures, 'smoke-11-13.dot');

/** No model unless a test configures one, whatever the machine's environment says. */
const noModel = { FSPEC_CREW_PROVIDER: '', FSPEC_CREW_BASE_URL: '', FSPEC_CREW_MODEL: '', FSPEC_CREW_API_KEY: '' };
const endpoint = (baseUrl: string) => ({ ...noModel, FSPEC_CREW_BASE_URL: baseUrl, FSPEC_CREW_MODEL: 'stage-test', FSPEC_CREW_API_KEY: 'sk-scripted', FSPEC_CREW_TIMEOUT_SECONDS: '5' });

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
        await cleanup();
    }
});

function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-pipeline-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}

async function scriptedServer(...steps: Parameters<typeof startScriptedOpenAiServer>): Promise<ScriptedOpenAiServer> {
    const server = await startScriptedOpenAiServer(...steps);
    cleanups.push(() => server.close());
    return server;
}

/** `fspec pipeline …` in `cwd`, stdin not a terminal (so human gates go to the question store). */
function pipeline(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
    return fspecWithInput(['pipeline', ...args], '', cwd, { ...noModel, ...env });
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** A `pipeline run` left running in the background, its output collected. */
function startRun(args: string[], cwd: string): { child: ChildProcess; done: Promise<Run> } {
    const child = spawn(process.execPath, [cli, 'pipeline', 'run', ...args], { cwd, env: { ...process.env, ...noModel }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', chunk => stdout += chunk);
    child.stderr!.on('data', chunk => stderr += chunk);
    const done = new Promise<Run>(resolve => child.on('close', code => resolve({ code: code ?? -1, stdout, stderr })));
    cleanups.push(() => child.kill('SIGKILL'));
    return { child, done };
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > until) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise(resolve => setTimeout(resolve, 50));
    }
}

const checkpointAt = (logs: string) => () => {
    try {
        return readJson(path.join(logs, 'checkpoint.json')).current_node as string;
    } catch {
        return undefined;
    }
};

describe('fspec pipeline validate', () => {
    it('[#123] the default crew and the smoke pipeline validate with no errors', async () => {
        const run = await pipeline(['validate', path.join(root, 'language-server/src/crew/crew.dot'), smoke], root);
        expect(run.code).toBe(0);
        expect(run.stdout).not.toMatch(/ error /);
        // The smoke pipeline's one expected warning, located at implement's goal_gate.
        expect(run.stdout).toContain('test/crew/engine/fixtures/smoke-11-13.dot:6:82 warning [goal_gate_has_retry] implement: goal gate implement has no retry_target');
        expect(run.stdout.trim().split('\n').at(-1)).toBe('2 pipelines checked: 0 errors, 1 warning.');
    });

    it('[#17 #19] a broken pipeline: exit 1, one located line per diagnostic naming its rule and node or edge', async () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'broken.dot'), [
            'digraph broken {',
            '    a [shape=Mdiamond]',
            '    b [shape=Mdiamond]',
            '    work [prompt="x"]',
            '    done [shape=Msquare]',
            '    a -> work -> done',
            '    b -> work',
            '    work -> a',
            '    done -> nowhere [condition="outcome>success"]',
            '}'
        ].join('\n'));
        const run = await pipeline(['validate', 'broken.dot'], dir);
        expect(run.code).toBe(1);
        const lines = run.stdout.trim().split('\n');
        expect(lines).toContain('broken.dot:1:1 error [start_node] graph: the pipeline has 2 start nodes (a, b); it needs exactly one');
        expect(lines).toContain('broken.dot:8:5 error [start_no_incoming] work -> a: the start node a has an incoming edge from work');
        expect(lines.some(line => /^broken\.dot:9:\d+ error \[exit_no_outgoing\] done -> nowhere: /.test(line))).toBe(true);
        expect(lines.some(line => /^broken\.dot:9:\d+ error \[condition_syntax\] done -> nowhere: /.test(line))).toBe(true);
        expect(lines.at(-1)).toMatch(/^1 pipeline checked: [4-9] errors, \d+ warnings?\.$/);

        const json = await pipeline(['validate', 'broken.dot', '--json'], dir);
        expect(json.code).toBe(1);
        const records = JSON.parse(json.stdout) as { rule: string; line: number; column: number; range: { start: { line: number; character: number } }; edge?: object }[];
        const incoming = records.find(r => r.rule === 'start_no_incoming')!;
        expect(incoming).toMatchObject({ line: 8, column: 5, severity: 'error', node_id: 'a', edge: { from: 'work', to: 'a' } });
        expect(incoming.range.start).toEqual({ line: 7, character: 4 });
    });

    it('a syntax error is a located dot_syntax error; a missing file is bad input (exit 2)', async () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'undirected.dot'), 'digraph g {\n  a -- b\n}\n');
        const run = await pipeline(['validate', 'undirected.dot'], dir);
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/^undirected\.dot:2:\d+ error \[dot_syntax\] graph: /m);
        const missing = await pipeline(['validate', 'missing.dot'], dir);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain('fspec: cannot read missing.dot: no such file');
    });
});

describe('fspec pipeline run', () => {
    it('[#124–#133 S10] the smoke pipeline with --simulate: success, the §5.6 run directory, the final checkpoint at done', async () => {
        const logs = path.join(tempDir(), 'run');
        const run = await pipeline(['run', smoke, '--simulate', '--logs', logs], root);
        expect(run.stderr).toContain('Running test_pipeline (LLM stages simulated)');
        expect(run.code).toBe(0);
        expect(run.stdout.trim()).toMatch(/^test_pipeline succeeded: start → plan → implement → review → done; run directory /);
        const checkpoint = readJson(path.join(logs, 'checkpoint.json'));
        expect(checkpoint.current_node).toBe('done');
        expect(checkpoint.completed_nodes).toEqual(['start', 'plan', 'implement', 'review', 'done']);
        expect(checkpoint.node_outcomes.implement.status).toBe('success');
        expect(readJson(path.join(logs, 'manifest.json'))).toMatchObject({ name: 'test_pipeline', goal: 'Create a hello world Python script', run_id: 'run' });
        for (const stage of ['plan', 'implement', 'review']) {
            expect(fs.readdirSync(path.join(logs, stage)).sort()).toEqual(['prompt.md', 'response.md', 'status.json']);
            expect(fs.readFileSync(path.join(logs, stage, 'response.md'), 'utf8')).toBe(`[Simulated] Response for stage: ${stage}`);
            expect(readJson(path.join(logs, stage, 'status.json')).outcome).toBe('success');
        }
        expect(fs.readFileSync(path.join(logs, 'plan', 'prompt.md'), 'utf8')).toBe('Plan how to create a hello world script for: Create a hello world Python script');
    });

    it('keeps runs in .factory/runs/<run-id> beside the file by default, git-ignored, and says where', async () => {
        const dir = tempDir();
        fs.copyFileSync(smoke, path.join(dir, 'smoke.dot'));
        const run = await pipeline(['run', 'smoke.dot', '--simulate', '--quiet'], dir);
        expect(run.code).toBe(0);
        expect(run.stderr).toBe('');
        const [runId] = fs.readdirSync(path.join(dir, '.factory/runs'));
        expect(runId).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{6}$/);
        expect(run.stdout).toContain(`run directory ${path.join('.factory/runs', runId)}`);
        expect(fs.readFileSync(path.join(dir, '.factory/.gitignore'), 'utf8').split('\n')).toContain('runs/');
        expect(readJson(path.join(dir, '.factory/runs', runId, 'checkpoint.json')).current_node).toBe('done');
    });

    it('[#124–#133] the smoke pipeline on a model through pi-ai: the scripted replies become the responses, the server sees the prompts', async () => {
        const replies = ['1. Create hello.py\n2. Print the greeting', 'print("Hello, world!")', 'The code is correct.'];
        const server = await scriptedServer(...replies.map(text => streamedText([text.slice(0, 5), text.slice(5)], { prompt_tokens: 30, completion_tokens: 10 })));
        const logs = path.join(tempDir(), 'run');
        const run = await pipeline(['run', smoke, '--logs', logs], root, endpoint(server.baseUrl));
        expect(run.stderr).toContain(`LLM stages on openai-compatible/stage-test at ${server.baseUrl}`);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('test_pipeline succeeded: start → plan → implement → review → done; 120 tokens;');
        ['plan', 'implement', 'review'].forEach((stage, i) => expect(fs.readFileSync(path.join(logs, stage, 'response.md'), 'utf8')).toBe(replies[i]));
        expect(readJson(path.join(logs, 'checkpoint.json')).current_node).toBe('done');
        expect(server.requests).toHaveLength(3);
        const sent = server.requests.map(r => r.body.messages as { role: string; content: unknown }[]);
        expect(sent.map(messages => JSON.stringify(messages.filter(m => m.role === 'user')))).toEqual([
            expect.stringContaining('Plan how to create a hello world script for: Create a hello world Python script'),
            expect.stringContaining('Write the code based on the plan'),
            expect.stringContaining('Review the code for correctness')
        ]);
        expect(JSON.stringify(sent[0])).toContain("The pipeline's goal: Create a hello world Python script");
        expect(server.requests[0].body.model).toBe('stage-test');
        expect(server.requests[0].headers.authorization).toBe('Bearer sk-scripted');
    });

    it('[S8] a 401 is not retried, not even with retries allowed: one request, the stage fails with the reason, exit 1', async () => {
        const server = await scriptedServer(httpError(401, { error: { message: 'invalid key sk-scripted' } }));
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'retrying.dot'), fs.readFileSync(smoke, 'utf8').replace('graph [goal=', 'graph [default_max_retries=3, goal='));
        const run = await pipeline(['run', 'retrying.dot', '--logs', 'run'], dir, endpoint(server.baseUrl));
        expect(run.code).toBe(1);
        expect(server.requests).toHaveLength(1);
        expect(run.stdout).toMatch(/^test_pipeline failed: The stage plan's model \(openai-compatible\/stage-test at http:\/\/127\.0\.0\.1:\d+\/v1\) rejected its API key \(401 .*\); check FSPEC_CREW_API_KEY\./);
        expect(run.stdout).not.toContain('sk-scripted');
        expect(run.stderr).not.toContain('will retry');
        const status = readJson(path.join(dir, 'run/plan/status.json'));
        expect(status.outcome).toBe('fail');
        expect(status.failure_reason).toContain('rejected its API key');
        expect(fs.existsSync(path.join(dir, 'run/plan/response.md'))).toBe(false);
    });

    it('--max-tokens: the run stops once the stages used more, naming the budget (exit 1)', async () => {
        const reply = (text: string) => streamedText([text], { prompt_tokens: 40, completion_tokens: 20 });
        const server = await scriptedServer(reply('A plan'));
        const logs = path.join(tempDir(), 'run');
        const run = await pipeline(['run', smoke, '--logs', logs, '--max-tokens', '50'], root, endpoint(server.baseUrl));
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('test_pipeline stopped: token budget exceeded: 60 tokens used, max_tokens 50');
        expect(run.stdout).toContain(`--resume ${logs}\` continues it (with a larger budget)`);
        expect(server.requests).toHaveLength(1);
        expect(fs.existsSync(path.join(logs, 'implement'))).toBe(false);

        // Resumed with a larger budget, the stopped stage runs again and the run goes on counting from the 60 tokens it already used.
        server.enqueue(reply('A plan'), reply('code'), reply('looks right'));
        const resumed = await pipeline(['run', smoke, '--resume', logs, '--max-tokens', '1000'], root, endpoint(server.baseUrl));
        expect(resumed.stdout).toContain('test_pipeline succeeded');
        expect(resumed.stdout).toContain('; 240 tokens;');
        expect(resumed.code).toBe(0);
    });

    it('--max-wall-time: a run that takes longer stops, naming the budget (exit 1)', async () => {
        const dir = tempDir();
        const run = await pipeline(['run', path.join(fixtures, 'resumable.dot'), '--logs', 'run', '--max-wall-time', '2s'], dir);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('resumable stopped: wall-time budget exceeded: the run took longer than max_wall_time 2s');
        expect(checkpointAt(path.join(dir, 'run'))()).toBe('first');
    });

    it('without a model, LLM stages are refused before anything runs (exit 2); a crew pipeline points to fspec grow', async () => {
        const dir = tempDir();
        const run = await pipeline(['run', smoke, '--logs', 'run'], dir);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain('fspec: test_pipeline has LLM stages (plan, implement, review) and no model is configured.');
        expect(run.stderr).toContain('or run with --simulate');
        expect(fs.existsSync(path.join(dir, 'run'))).toBe(false);

        const crew = await pipeline(['run', path.join(root, 'language-server/src/crew/crew.dot'), '--simulate', '--logs', 'run'], dir);
        expect(crew.code).toBe(2);
        expect(crew.stderr).toContain('is a crew pipeline (refine: crew.refine');
        expect(crew.stderr).toContain('`fspec grow <spec.fspec>`');
    });

    it('an invalid pipeline does not run: its errors on stderr, exit 1', async () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'noexit.dot'), 'digraph noexit {\n  start [shape=Mdiamond]\n  work [shape=parallelogram, tool_command="touch ran"]\n  start -> work\n}\n');
        const run = await pipeline(['run', 'noexit.dot', '--logs', 'run'], dir);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('noexit.dot is not a valid pipeline (1 error, 0 warnings); nothing ran.');
        expect(run.stderr).toContain('noexit.dot:1:1 error [terminal_node] graph:');
        expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
    });

    it('[S7] tool stages see ATTRACTOR_* in their environment and the expanded prompt in prompt.md; a status.json they write decides the outcome; --set reaches conditions', async () => {
        const dir = tempDir();
        const logs = path.join(dir, 'run');
        const run = await pipeline(['run', path.join(fixtures, 'tools.dot'), '--logs', 'run', '--set', 'env=prod', '--set', 'note=a=b'], dir);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('tools succeeded: start → inspect → lint → fixup → which → prod → done');
        const env = Object.fromEntries(fs.readFileSync(path.join(logs, 'inspect/env.txt'), 'utf8').split('\n')
            .filter(line => line.startsWith('ATTRACTOR_')).map(line => line.split(/=(.*)/s).slice(0, 2)));
        expect(env).toEqual({
            ATTRACTOR_STAGE_DIR: path.join(logs, 'inspect'),
            ATTRACTOR_NODE_ID: 'inspect',
            ATTRACTOR_LOGS_ROOT: logs,
            ATTRACTOR_PROMPT_FILE: path.join(logs, 'inspect/prompt.md')
        });
        expect(fs.readFileSync(path.join(logs, 'inspect/prompt.md'), 'utf8')).toBe('Inspect the stage for: Check the tool contract');
        // The tool exited 0 but wrote a failing status: routed along outcome=fail.
        expect(readJson(path.join(logs, 'lint/status.json'))).toMatchObject({ outcome: 'fail', failure_reason: '3 lint errors' });
        expect(run.stderr).toContain('  lint: failed: 3 lint errors');
        const context = readJson(path.join(logs, 'checkpoint.json')).context;
        expect(context).toMatchObject({ env: 'prod', note: 'a=b' });

        const staging = await pipeline(['run', path.join(fixtures, 'tools.dot'), '--logs', 'staging', '--quiet'], dir);
        expect(staging.stdout).toContain('tools succeeded: start → inspect → lint → fixup → which → staging → done');
        const bad = await pipeline(['run', path.join(fixtures, 'tools.dot'), '--set', 'novalue'], dir);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('fspec: --set novalue: expected key=value');
    });

    it('[#71] --resume continues an interrupted run after its checkpoint without running completed nodes again', async () => {
        const dir = tempDir();
        const logs = path.join(dir, 'run');
        const { child, done } = startRun([path.join(fixtures, 'resumable.dot'), '--logs', 'run'], dir);
        await waitFor('the checkpoint after first', () => checkpointAt(logs)() === 'first' ? true : undefined);
        await waitFor('slow to start', () => fs.existsSync(path.join(logs, 'slow')) ? true : undefined);
        child.kill('SIGINT');
        const interrupted = await done;
        expect(interrupted.code).toBe(130);
        expect(interrupted.stdout).toContain(`resumable was interrupted; \`fspec pipeline run ${path.join(fixtures, 'resumable.dot')} --resume run\` continues it`);
        expect(checkpointAt(logs)()).toBe('first');

        fs.writeFileSync(path.join(logs, 'go'), '');
        const resumed = await pipeline(['run', path.join(fixtures, 'resumable.dot'), '--resume', 'run'], dir);
        expect(resumed.code).toBe(0);
        expect(resumed.stderr).toContain('Resuming resumable');
        expect(resumed.stderr).toContain('continuing after first (2 nodes done)');
        expect(resumed.stderr).not.toContain('first: started');
        expect(resumed.stdout).toContain('resumable succeeded: start → first → slow → done');
        expect(fs.readFileSync(path.join(logs, 'first-runs.txt'), 'utf8')).toBe('ran\n');
        expect(readJson(path.join(logs, 'checkpoint.json')).current_node).toBe('done');

        const again = await pipeline(['run', path.join(fixtures, 'resumable.dot'), '--logs', 'run'], dir);
        expect(again.code).toBe(2);
        expect(again.stderr).toContain('run already holds a run; `--resume run` continues it');
        const elsewhere = await pipeline(['run', smoke, '--simulate', '--resume', 'run'], dir);
        expect(elsewhere.code).toBe(2);
        expect(elsewhere.stderr).toContain('run is a run of the pipeline resumable, not test_pipeline');
    });
});

describe('fspec pipeline answer', () => {
    const gate = path.join(fixtures, 'human-gate.dot');

    it('[§6, 11.8.1] a human gate waits for q-1.json to be answered from another process, refuses answers that do not fit, and takes the answer given', async () => {
        const dir = tempDir();
        const logs = path.join(dir, 'run');
        const { done } = startRun([gate, '--logs', 'run', '--poll-interval', '50ms'], dir);
        const question = await waitFor('q-1.json', () => fs.existsSync(path.join(logs, 'questions/q-1.json')) ? readJson(path.join(logs, 'questions/q-1.json')) : undefined);
        expect(question).toMatchObject({
            id: 'q-1', node: 'gate', stage: 'gate', text: 'Ship the release?', type: 'MULTIPLE_CHOICE',
            options: [{ key: 'S', label: '[S] Ship it' }, { key: 'H', label: '[H] Hold' }],
            default: { value: 'H', selected_option: { key: 'H', label: '[H] Hold' } }
        });
        expect(Date.parse(question.asked_at)).not.toBeNaN();

        const invalid = await pipeline(['answer', 'run', 'q-1', 'maybe'], dir);
        expect(invalid.code).toBe(1);
        expect(invalid.stderr).toContain('fspec: "maybe" is not an option of q-1; answer one of: S ([S] Ship it), H ([H] Hold)');
        const unknown = await pipeline(['answer', 'run', 'q-7', 'S'], dir);
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toContain('has no question q-7 (questions: q-1)');

        const answered = await pipeline(['answer', 'run', 'q-1', 'ship', 'it'], dir);
        expect(answered.code).toBe(0);
        expect(answered.stdout.trim()).toBe('Answered q-1: S ([S] Ship it).');
        const twice = await pipeline(['answer', 'run', '1', 'H'], dir);
        expect(twice.code).toBe(1);
        expect(twice.stderr).toMatch(/fspec: q-1 is already answered: S \(\[S\] Ship it\) at /);

        const run = await done;
        expect(run.stderr).toContain('answer with: fspec pipeline answer run q-1 S');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('release_gate succeeded: start → prepare → gate → ship → done');
        expect(readJson(path.join(logs, 'checkpoint.json')).context['human.gate.selected']).toBe('S');
    });

    it('[S16] an unanswered question times out to human.default_choice, and a late answer is refused', async () => {
        const dir = tempDir();
        const run = await pipeline(['run', gate, '--logs', 'run', '--question-timeout', '300ms', '--poll-interval', '50ms'], dir);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('release_gate succeeded: start → prepare → gate → hold → done');
        expect(run.stderr).toContain("gate: no answer within the question's timeout; taking the default [H] Hold");
        expect(readJson(path.join(dir, 'run/questions/q-1.answer.json'))).toMatchObject({ value: 'TIMEOUT', answered_by: 'timeout' });
        const late = await pipeline(['answer', 'run', 'q-1', 'S'], dir);
        expect(late.code).toBe(1);
        expect(late.stderr).toContain('fspec: q-1 timed out at');
    });

    it('[#76] --auto-approve takes the first option without asking', async () => {
        const dir = tempDir();
        const run = await pipeline(['run', gate, '--logs', 'run', '--auto-approve'], dir);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('start → prepare → gate → ship → done');
        expect(fs.existsSync(path.join(dir, 'run/questions'))).toBe(false);
    });
});
