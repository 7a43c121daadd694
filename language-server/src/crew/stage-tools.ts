/**
 * The tools an LLM stage of a general pipeline may call, and the tool hooks around each call (§9.7).
 * A stage gets the tools its node lists in `tools` (none by default: a model reads or changes the
 * workspace only where the pipeline says so). They work in the run's working directory and never
 * outside it. `tool_hooks.pre` (the node's, else the graph's) runs before each call with the call as
 * JSON on stdin and `ATTRACTOR_TOOL_*` in its environment; a non-zero exit skips the call and the
 * model is told why. `tool_hooks.post` runs after it with the result; its failure blocks nothing.
 * Every call, and what its hooks said, is recorded in the stage's `tool_calls.jsonl`.
 */
import { appendFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ToolCall } from '@mariozechner/pi-ai';
import { Type, type TObject } from 'typebox';
import { STAGE_TOOLS, type StageToolName } from './engine/attributes.js';
import type { Context, PipelineNode } from './engine/index.js';
import { runShell, type ShellResult } from './engine/shell.js';
import type { ModelTool } from './llm-ask.js';

/** What a tool result tells the model at most; more is cut with a note. */
const RESULT_CHARACTERS = 50_000;
const SHELL_TIMEOUT_MS = 120_000;
const HOOK_TIMEOUT_MS = 30_000;
const HOOK_OUTPUT_CHARACTERS = 2_000;

interface ToolDefinition {
    readonly description: string;
    readonly parameters: TObject;
    run(args: Record<string, unknown>, where: StageToolsOptions): Promise<{ text: string; is_error: boolean }>;
}

/** Thrown for a path that leaves the working directory; its message goes to the model. */
class ToolRefusal extends Error {}

/**
 * Where `target` really is: its symbolic links resolved, also where its last parts do not exist yet
 * (a file about to be written). A link that leads nowhere is refused: writing through it would
 * create its target, wherever that is.
 */
function realTarget(target: string, asked: string): string {
    let existing = target;
    const rest: string[] = [];
    while (!existsSync(existing)) {
        if (lstatSync(existing, { throwIfNoEntry: false })?.isSymbolicLink()) {
            throw new ToolRefusal(`${asked} goes through a symbolic link that leads nowhere`);
        }
        rest.unshift(basename(existing));
        existing = dirname(existing);
    }
    return join(realpathSync(existing), ...rest);
}

/** The real path of `path` in the working directory; refused when it, or a link on its way, leads outside. */
function inside(workdir: string, path: unknown): string {
    if (typeof path !== 'string' || path.trim() === '') {
        throw new ToolRefusal('path must be a non-empty string');
    }
    const root = realpathSync(workdir);
    const target = realTarget(resolve(root, path), path);
    const fromRoot = relative(root, target);
    // `..` as a whole first part leaves the folder; `..notes.txt` is a name in it.
    if (fromRoot === '..' || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) {
        throw new ToolRefusal(`${path} is outside the working directory ${workdir}`);
    }
    return target;
}

const cut = (text: string) => text.length > RESULT_CHARACTERS ? `${text.slice(0, RESULT_CHARACTERS)}\n… (${text.length - RESULT_CHARACTERS} more characters not shown)` : text;

const TOOLS: Readonly<Record<StageToolName, ToolDefinition>> = {
    read_file: {
        description: 'Read a text file of the working directory.',
        parameters: Type.Object({ path: Type.String({ description: 'relative to the working directory' }) }),
        async run(args, { workdir }) {
            return { text: cut(readFileSync(inside(workdir, args.path), 'utf8')), is_error: false };
        }
    },
    list_files: {
        description: 'List a directory of the working directory (subdirectories end with /).',
        parameters: Type.Object({ path: Type.Optional(Type.String({ description: 'relative to the working directory; . when absent' })) }),
        async run(args, { workdir }) {
            const folder = inside(workdir, args.path ?? '.');
            const entries = readdirSync(folder, { withFileTypes: true }).map(entry => entry.isDirectory() ? `${entry.name}/` : entry.name).sort();
            return { text: entries.join('\n') || '(empty)', is_error: false };
        }
    },
    write_file: {
        description: 'Write a text file of the working directory (its folders are created), replacing what it held.',
        parameters: Type.Object({ path: Type.String({ description: 'relative to the working directory' }), content: Type.String() }),
        async run(args, { workdir }) {
            const target = inside(workdir, args.path);
            const content = typeof args.content === 'string' ? args.content : '';
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, content);
            return { text: `wrote ${Buffer.byteLength(content)} bytes to ${relative(realpathSync(workdir), target)}`, is_error: false };
        }
    },
    shell: {
        description: 'Run a shell command in the working directory (sh -c, at most 120 s); returns its exit code, stdout and stderr.',
        parameters: Type.Object({ command: Type.String() }),
        async run(args, where) {
            if (typeof args.command !== 'string' || args.command.trim() === '') {
                throw new ToolRefusal('command must be a non-empty string');
            }
            const result = await shellWithin(args.command, where, SHELL_TIMEOUT_MS, where.env);
            return { text: cut(`exit code ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`), is_error: result.code !== 0 };
        }
    }
};

export interface StageToolsOptions {
    readonly node: PipelineNode;
    readonly context: Context;
    /** Where the tools work: the run's working directory. */
    readonly workdir: string;
    readonly stageDir: string;
    readonly signal: AbortSignal;
    readonly env: NodeJS.ProcessEnv;
}

/** The tool names a node lists in `tools`; validation (`tools_known`) has refused unknown ones. */
function stageToolNames(node: PipelineNode): StageToolName[] {
    const names = (node.attrs.tools ?? '').split(',').map(name => name.trim()).filter(name => name !== '');
    const unknown = names.filter(name => !(STAGE_TOOLS as readonly string[]).includes(name));
    if (unknown.length) {
        throw new Error(`node ${node.id} lists unknown tools (${unknown.join(', ')}); the pipeline was not validated`);
    }
    return names as StageToolName[];
}

/** A shell command in the working directory, killed after `timeoutMs` or when the stage is aborted. */
async function shellWithin(command: string, where: StageToolsOptions, timeoutMs: number, env: NodeJS.ProcessEnv, stdin?: string): Promise<ShellResult> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
        return await runShell(command, where.workdir, env, AbortSignal.any([where.signal, timeout]), stdin);
    } catch (error) {
        if (timeout.aborted && !where.signal.aborted) {
            return { code: null, stdout: '', stderr: `timed out after ${timeoutMs / 1000} s` };
        }
        throw error;
    }
}

interface HookRun {
    readonly command: string;
    readonly exit_code: number | null;
    readonly output: string;
}

/** A hook's command: the node's `tool_hooks.<phase>`, else the graph's. */
function hookCommand(where: StageToolsOptions, phase: 'pre' | 'post'): string {
    return (where.node.attrs[`tool_hooks.${phase}`] ?? where.context.getString(`graph.tool_hooks.${phase}`) ?? '').trim();
}

async function runHook(where: StageToolsOptions, phase: 'pre' | 'post', call: ToolCall, result?: { text: string; is_error: boolean }): Promise<HookRun | undefined> {
    const command = hookCommand(where, phase);
    if (!command) {
        return undefined;
    }
    const env = {
        ...where.env,
        ATTRACTOR_TOOL_HOOK: phase,
        ATTRACTOR_TOOL_NAME: call.name,
        ATTRACTOR_TOOL_CALL_ID: call.id,
        ATTRACTOR_NODE_ID: where.node.id,
        ATTRACTOR_STAGE_DIR: where.stageDir,
        ...(result && { ATTRACTOR_TOOL_IS_ERROR: String(result.is_error) })
    };
    const input = JSON.stringify({ node_id: where.node.id, tool_name: call.name, call_id: call.id, arguments: call.arguments, ...(result && { result: result.text, is_error: result.is_error }) });
    const run = await shellWithin(command, where, HOOK_TIMEOUT_MS, env, input);
    const output = `${run.stdout}${run.stderr}`.trim();
    return { command, exit_code: run.code, output: output.length > HOOK_OUTPUT_CHARACTERS ? `${output.slice(0, HOOK_OUTPUT_CHARACTERS)}…` : output };
}

/** The node's tools, each call wrapped in the hooks and recorded; none when the node lists no `tools`. */
export function stageTools(where: StageToolsOptions): ModelTool[] {
    const log = join(where.stageDir, 'tool_calls.jsonl');
    const record = (entry: object) => appendFileSync(log, `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
    return stageToolNames(where.node).map(name => {
        const tool = TOOLS[name];
        return {
            name,
            description: tool.description,
            parameters: tool.parameters,
            async execute(call: ToolCall) {
                const pre = await runHook(where, 'pre', call);
                if (pre && pre.exit_code !== 0) {
                    const text = `The call was refused by the tool_hooks.pre hook (exit code ${pre.exit_code})${pre.output ? `: ${pre.output}` : ''}.`;
                    record({ tool: name, call_id: call.id, arguments: call.arguments, skipped: true, pre_hook: pre });
                    where.context.appendLog(`${where.node.id}: tool call ${name} skipped by tool_hooks.pre (exit code ${pre.exit_code})`);
                    return { text, is_error: true };
                }
                let result: { text: string; is_error: boolean };
                try {
                    result = await tool.run(call.arguments, where);
                } catch (error) {
                    if (where.signal.aborted) {
                        throw error;
                    }
                    result = { text: error instanceof ToolRefusal ? `Refused: ${error.message}` : `Failed: ${(error as Error).message}`, is_error: true };
                }
                const post = await runHook(where, 'post', call, result);
                if (post && post.exit_code !== 0) {
                    where.context.appendLog(`${where.node.id}: tool_hooks.post failed after ${name} (exit code ${post.exit_code})`);
                }
                record({ tool: name, call_id: call.id, arguments: call.arguments, skipped: false, is_error: result.is_error, result: result.text.slice(0, HOOK_OUTPUT_CHARACTERS), ...(pre && { pre_hook: pre }), ...(post && { post_hook: post }) });
                return result;
            }
        };
    });
}

