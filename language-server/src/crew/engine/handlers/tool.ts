/** The tool handler (§4.10): runs `tool_command` in a shell; stdout becomes `tool.output`. */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stageDirectory } from '../checkpoint.js';
import { runShell } from '../shell.js';
import { stageEnvironment } from '../stage-env.js';
import { expandVariables } from '../transforms.js';
import type { NodeHandler } from './handler.js';

const STDERR_IN_REASON = 2000;
/** How much of a file-backed output the context keeps. */
const OUTPUT_IN_CONTEXT = 4000;

/**
 * Commands run in `workdir` with the engine's basic variables and those the graph's `tool_env` names
 * (never its API keys; see stage-env.ts), and the stage in their environment: `ATTRACTOR_STAGE_DIR` (the node's
 * stage directory, where a command may write status.json to decide the outcome, Appendix C),
 * `ATTRACTOR_NODE_ID`, `ATTRACTOR_LOGS_ROOT` and `ATTRACTOR_PROMPT_FILE` (the node's prompt, `$goal`
 * expanded, written to `prompt.md` in the stage directory first; the label when there is no prompt).
 * Paths are absolute. The node `timeout` applies through the engine, which aborts `signal`. A
 * non-zero exit fails the node with its stderr.
 */
export function createToolHandler(workdir: string): NodeHandler {
    return async (node, context, graph, logsRoot, signal, engine) => {
        const command = node.attrs.tool_command ?? '';
        if (command.trim() === '') {
            return { status: 'fail', failure_reason: 'No tool_command specified' };
        }
        const stageDir = resolve(stageDirectory(logsRoot, node.id));
        const promptFile = join(stageDir, 'prompt.md');
        writeFileSync(promptFile, expandVariables(node.prompt || node.label, graph));
        const env = stageEnvironment(graph.attrs.tool_env, {
            ATTRACTOR_STAGE_DIR: stageDir,
            ATTRACTOR_NODE_ID: node.id,
            ATTRACTOR_LOGS_ROOT: resolve(logsRoot),
            ATTRACTOR_PROMPT_FILE: promptFile
        });
        const result = await runShell(command, workdir, env, signal);
        if (result.code !== 0) {
            const detail = result.stderr.trim().slice(-STDERR_IN_REASON);
            return { status: 'fail', failure_reason: `tool_command exited with code ${result.code}${detail ? `: ${detail}` : ''}` };
        }
        // Without the trailing newline, so conditions like `context.tool.output=ok` work.
        const output = result.stdout.replace(/\r?\n$/, '');
        const artifact = engine.artifacts.store(`${node.id}.output`, `output of ${node.id}`, output);
        return {
            status: 'success',
            // A large output stays out of the context (and so out of every checkpoint): the context
            // gets its start and the artifact's id, the artifact store the whole.
            context_updates: artifact.is_file_backed
                ? { 'tool.output': `${output.slice(0, OUTPUT_IN_CONTEXT)}…`, 'tool.output_artifact': artifact.id }
                : { 'tool.output': output, ...(context.get('tool.output_artifact') !== undefined && { 'tool.output_artifact': '' }) },
            notes: `Tool completed: ${command}`
        };
    };
}
