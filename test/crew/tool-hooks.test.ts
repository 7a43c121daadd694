import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPiAiBackend } from '../../language-server/src/crew/pi-ai-backend.js';
import { runDot, useTempDirs } from './engine/helpers.js';
import { FAKE_KEY, resolvedLlm } from './llm/llm-test-helpers.js';
import { startScriptedOpenAiServer, streamedText, streamedToolCall, type ScriptedOpenAiServer } from './llm/scripted-openai-server.js';

/** One LLM stage `write` with the given node attributes (and graph attributes). */
const pipeline = (nodeAttrs: string, graphAttrs = '') => `digraph Tools {
    ${graphAttrs ? `graph [${graphAttrs}]` : ''}
    start [shape=Mdiamond]
    write [prompt="Write the plan to plan.md", ${nodeAttrs}]
    exit [shape=Msquare]
    start -> write -> exit
}`;

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map(line => JSON.parse(line) as Record<string, any>);

describe('tools of LLM stages and their hooks (§9.7)', () => {
    const dirs = useTempDirs();
    let server: ScriptedOpenAiServer;
    let workdir: string;
    let logsRoot: string;

    beforeEach(async () => {
        server = await startScriptedOpenAiServer();
        workdir = dirs();
        logsRoot = dirs();
    });
    afterEach(() => server.close());

    const run = (dot: string) => {
        const env = { FSPEC_CREW_BASE_URL: server.baseUrl, FSPEC_CREW_MODEL: 'stage-model', FSPEC_CREW_API_KEY: FAKE_KEY };
        return runDot(dot, logsRoot, { defaults: { backend: createPiAiBackend(resolvedLlm({}, env), { env, workdir }) } });
    };
    /** The tool results the model was sent in its second request. */
    const toolResults = () => (server.requests[1].body.messages as { role: string; content: unknown }[]).filter(m => m.role === 'tool');

    it('[S19] pre and post hooks run around each tool call with the call on stdin; both are recorded', async () => {
        server.enqueue(streamedToolCall('write_file', ['{"path":"plan.md",', '"content":"two beds"}']), streamedText(['Wrote the plan']));
        const hooks = join(workdir, 'hooks.log');
        const result = await run(pipeline(
            `tools="write_file,read_file", tool_hooks.pre="(echo pre $ATTRACTOR_TOOL_NAME; cat; echo) >> ${hooks}", tool_hooks.post="(echo post $ATTRACTOR_TOOL_IS_ERROR; cat; echo) >> ${hooks}"`
        ));
        expect(result.status).toBe('success');
        expect(readFileSync(join(workdir, 'plan.md'), 'utf8')).toBe('two beds');
        const log = readFileSync(hooks, 'utf8').trim().split('\n');
        expect(log[0]).toBe('pre write_file');
        expect(JSON.parse(log[1])).toMatchObject({ node_id: 'write', tool_name: 'write_file', arguments: { path: 'plan.md', content: 'two beds' } });
        expect(log[2]).toBe('post false');
        expect(JSON.parse(log[3])).toMatchObject({ tool_name: 'write_file', result: 'wrote 8 bytes to plan.md', is_error: false });
        expect(toolResults()[0].content).toContain('wrote 8 bytes to plan.md');
        const [call] = lines(join(logsRoot, 'write', 'tool_calls.jsonl'));
        expect(call).toMatchObject({ tool: 'write_file', skipped: false, is_error: false, pre_hook: { exit_code: 0 }, post_hook: { exit_code: 0 } });
    });

    it('the shell tool and the hooks see the basic variables and those tool_env names, never the engine\'s keys', async () => {
        process.env.ANTHROPIC_API_KEY = 'sk-ant-leak';
        process.env.BUILD_FLAVOUR = 'release';
        try {
            server.enqueue(streamedToolCall('shell', ['{"command":"env"}']), streamedText(['Looked around']));
            const hookEnv = join(workdir, 'hook-env.txt');
            const result = await run(pipeline(`tools="shell", tool_hooks.pre="env > ${hookEnv}"`, 'tool_env="BUILD_FLAVOUR"'));
            expect(result.status).toBe('success');
            const shown = String(toolResults()[0].content);
            const hook = readFileSync(hookEnv, 'utf8');
            for (const env of [shown, hook]) {
                expect(env).toContain('BUILD_FLAVOUR=release');
                expect(env).toContain(`PATH=${process.env.PATH}`);
                expect(env).toContain('ATTRACTOR_NODE_ID=write');
                expect(env).not.toMatch(/leak|FSPEC_CREW_API_KEY|_API_KEY=/);
            }
        } finally {
            delete process.env.ANTHROPIC_API_KEY;
            delete process.env.BUILD_FLAVOUR;
        }
    });

    it('[S19] a pre-hook that exits non-zero skips the call: the model is told, the stage log records it', async () => {
        server.enqueue(streamedToolCall('write_file', ['{"path":"plan.md","content":"x"}']), streamedText(['Could not write']));
        const result = await run(pipeline('tools="write_file"', 'tool_hooks.pre="echo writes are frozen >&2; exit 3"'));
        expect(result.status).toBe('success');
        expect(existsSync(join(workdir, 'plan.md'))).toBe(false);
        expect(toolResults()[0].content).toContain('The call was refused by the tool_hooks.pre hook (exit code 3): writes are frozen');
        const [call] = lines(join(logsRoot, 'write', 'tool_calls.jsonl'));
        expect(call).toMatchObject({ tool: 'write_file', skipped: true, pre_hook: { exit_code: 3, output: 'writes are frozen' } });
        expect(call.post_hook).toBeUndefined();
        const checkpoint = JSON.parse(readFileSync(join(logsRoot, 'checkpoint.json'), 'utf8')) as { logs: string[] };
        expect(checkpoint.logs).toContain('write: tool call write_file skipped by tool_hooks.pre (exit code 3)');
    });

    it('[S19] a failing post-hook blocks nothing and is recorded', async () => {
        server.enqueue(streamedToolCall('write_file', ['{"path":"notes/plan.md","content":"ok"}']), streamedText(['done']));
        const result = await run(pipeline('tools="write_file", tool_hooks.post="exit 1"'));
        expect(result.status).toBe('success');
        expect(readFileSync(join(workdir, 'notes/plan.md'), 'utf8')).toBe('ok');
        const [call] = lines(join(logsRoot, 'write', 'tool_calls.jsonl'));
        expect(call).toMatchObject({ skipped: false, is_error: false, post_hook: { exit_code: 1 } });
    });

    it('tools never reach outside the working directory, and a shell call returns its exit code and output', async () => {
        server.enqueue(
            streamedToolCall('read_file', ['{"path":"../../etc/passwd"}']),
            streamedToolCall('shell', ['{"command":"echo hi; exit 2"}']),
            streamedText(['stopped'])
        );
        const result = await run(pipeline('tools="read_file,shell"'));
        expect(result.status).toBe('success');
        const messages = server.requests[2].body.messages as { role: string; content: unknown }[];
        const results = messages.filter(m => m.role === 'tool').map(m => String(m.content));
        expect(results[0]).toMatch(/^Refused: \.\.\/\.\.\/etc\/passwd is outside the working directory/);
        expect(results[1]).toContain('exit code 2\n--- stdout\nhi\n');
    });

    it('a symbolic link in the working directory does not lead the tools outside it (it did before); a name starting with .. is inside', async () => {
        const outside = dirs();
        writeFileSync(join(outside, 'secret.txt'), 'the server key');
        symlinkSync(join(outside, 'secret.txt'), join(workdir, 'link.txt'));
        symlinkSync(outside, join(workdir, 'linked'));
        symlinkSync(join(outside, 'created-by-the-model.txt'), join(workdir, 'dangling.txt'));
        writeFileSync(join(workdir, '..dotdot.txt'), 'mine');
        server.enqueue(
            streamedToolCall('read_file', ['{"path":"link.txt"}']),
            streamedToolCall('list_files', ['{"path":"linked"}']),
            streamedToolCall('write_file', ['{"path":"linked/new.txt","content":"x"}']),
            streamedToolCall('write_file', ['{"path":"dangling.txt","content":"x"}']),
            streamedToolCall('read_file', ['{"path":"..dotdot.txt"}']),
            streamedText(['done'])
        );
        const result = await run(pipeline('tools="read_file,list_files,write_file"'));
        expect(result.status).toBe('success');
        const messages = server.requests[5].body.messages as { role: string; content: unknown }[];
        const results = messages.filter(m => m.role === 'tool').map(m => String(m.content));
        expect(results[0]).toMatch(/^Refused: link\.txt is outside the working directory/);
        expect(results[1]).toMatch(/^Refused: linked is outside the working directory/);
        expect(results[2]).toMatch(/^Refused: linked\/new\.txt is outside the working directory/);
        expect(results[3]).toBe('Refused: dangling.txt goes through a symbolic link that leads nowhere');
        expect(results[4]).toBe('mine');
        expect(readdirSync(outside)).toEqual(['secret.txt']);
    });

    it('a stage listing an unknown tool is refused before the run starts, naming the known ones; without tools the model gets none', async () => {
        await expect(run(pipeline('tools="write_file,rm_rf"'))).rejects.toThrow('node write lists unknown tools (rm_rf); the tools are read_file, list_files, write_file, shell');
        expect(server.requests).toHaveLength(0);

        server.enqueue(streamedText(['plain answer']));
        const plain = await run(pipeline('label="Write"'));
        expect(plain.status).toBe('success');
        expect(server.requests[0].body.tools).toBeUndefined();
    });
});
