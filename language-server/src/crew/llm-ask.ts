import { setTimeout as delay } from 'node:timers/promises';
import { complete, type AssistantMessage, type Context, type Message, type Static, type ToolCall } from '@mariozechner/pi-ai';
import type { TObject } from 'typebox';
import { Value } from 'typebox/value';
import type { CrewLlm } from './llm.js';
import { abortedError, classifyFailure, failureError, invalidOutputError, timeoutError, type CallSite } from './llm-errors.js';

/**
 * The crew's two ways of asking a model: for a typed answer (a tool call whose arguments are
 * validated against the role's contract schema, with the problems sent back on a retry) and for
 * free text. Both retry rate limits and transient provider failures with exponential backoff.
 */

/** Token totals over every request a call made (retries included); cost in USD when pi-ai knows the prices. */
export interface CrewLlmUsage { input: number; output: number; cacheRead: number; cacheWrite: number; totalTokens: number; cost: number }

export type CrewLlmEvent =
    /** One model reply's tokens, as it arrives. */
    | { type: 'usage'; role: string; usage: CrewLlmUsage }
    | { type: 'retry'; role: string; kind: 'rate-limited' | 'provider'; delayMs: number; detail: string }
    | { type: 'invalid-output'; role: string; attempt: number; problems: string[] };

export interface AskOptions {
    signal?: AbortSignal;
    /** How long one request to the model may take; no limit of our own when absent. */
    timeoutMs?: number;
    onEvent?: (event: CrewLlmEvent) => void;
    /** Waits between retries; tests pass one that records the delays and returns at once. */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface StructuredAskOptions extends AskOptions {
    /** How many answers the model may give before an invalid one is final (default 3). */
    maxAttempts?: number;
}

export interface TextRequest {
    role: string;
    system: string;
    prompt: string;
    /** Earlier turns of the same conversation, which the prompt continues (a `full`-fidelity thread). */
    history?: readonly Message[];
    /** Tools the model may call before it answers; each call's result goes back to it. */
    tools?: readonly ModelTool[];
}

/** A tool a model may call while it works on a text answer. */
export interface ModelTool {
    readonly name: string;
    readonly description: string;
    readonly parameters: TObject;
    /** Its result as the model will read it; `is_error` for a refused or failed call. */
    execute(call: ToolCall): Promise<{ text: string; is_error: boolean }>;
}

/** The schema is an object because providers accept only objects as a tool's parameters. */
export interface StructuredRequest<S extends TObject> extends TextRequest { schema: S; toolName?: string }

/** Requests per model call after a rate limit or transient failure: the first try and three more, 1 s, 2 s, 4 s apart. */
const TRANSPORT_TRIES = 4;
const FIRST_BACKOFF_MS = 1000;
const DEFAULT_MAX_ATTEMPTS = 3;
/** Rounds of tool calls a text answer may take before the model is deemed stuck. */
const MAX_TOOL_ROUNDS = 25;
/** Validation problems quoted in the final error; the model is sent all of them. */
const PROBLEMS_IN_ERROR = 3;

export async function askStructured<S extends TObject>(
    llm: CrewLlm, request: StructuredRequest<S>, options: StructuredAskOptions = {}
): Promise<{ value: Static<S>; usage: CrewLlmUsage }> {
    const toolName = request.toolName ?? `submit_${request.role.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const caller = new ModelCaller(llm, request.role, options);
    const context: Context = {
        systemPrompt: `${request.system}\n\nGive your answer by calling the tool ${toolName} once; its arguments are your whole answer.`,
        messages: [userMessage(request.prompt)],
        tools: [{ name: toolName, description: `Submit the ${request.role}'s answer.`, parameters: request.schema }]
    };
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    let problems: string[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const reply = await caller.request(context);
        context.messages.push(reply);
        const answer = readToolAnswer(reply, toolName, request.schema);
        if (answer.valid) {
            return { value: answer.value, usage: caller.usage };
        }
        problems = answer.problems;
        options.onEvent?.({ type: 'invalid-output', role: request.role, attempt, problems });
        context.messages.push(...feedback(reply, toolName, problems));
    }
    const quoted = problems.slice(0, PROBLEMS_IN_ERROR).join('; ');
    throw invalidOutputError(caller.site, `gave no valid answer in ${maxAttempts} attempts (last: ${quoted})`);
}

/**
 * `conversation` is the history, the prompt, any tool calls with their results, and the answer: what
 * a continuation of it passes as history. With tools, the model's tool calls are executed in order
 * and answered until it replies without calling one.
 */
export async function askText(llm: CrewLlm, request: TextRequest, options: AskOptions = {}): Promise<{ text: string; usage: CrewLlmUsage; conversation: Message[] }> {
    const caller = new ModelCaller(llm, request.role, options);
    const messages = [...request.history ?? [], userMessage(request.prompt)];
    const tools = request.tools ?? [];
    const context: Context = { systemPrompt: request.system, messages, ...(tools.length && { tools: tools.map(({ name, description, parameters }) => ({ name, description, parameters })) }) };
    let reply = await caller.request(context);
    for (let round = 1; tools.length && toolCalls(reply).length; round++) {
        if (round > MAX_TOOL_ROUNDS) {
            throw invalidOutputError(caller.site, `kept calling tools after ${MAX_TOOL_ROUNDS} rounds without answering`);
        }
        messages.push(reply);
        for (const call of toolCalls(reply)) {
            const tool = tools.find(candidate => candidate.name === call.name);
            const result = tool ? await tool.execute(call) : { text: `There is no tool ${call.name}; the tools are ${tools.map(t => t.name).join(', ')}.`, is_error: true };
            messages.push({ role: 'toolResult', toolCallId: call.id, toolName: call.name, content: [{ type: 'text', text: result.text }], isError: result.is_error, timestamp: Date.now() });
        }
        reply = await caller.request(context);
    }
    if (reply.stopReason === 'length') {
        throw invalidOutputError(caller.site, 'stopped at its output limit before finishing the answer');
    }
    const text = reply.content.flatMap(block => block.type === 'text' ? [block.text] : []).join('');
    if (text.trim() === '') {
        throw invalidOutputError(caller.site, 'answered with no text');
    }
    return { text, usage: caller.usage, conversation: [...messages, reply] };
}

type ToolAnswer<T> = { valid: true; value: T } | { valid: false; problems: string[] };

function readToolAnswer<S extends TObject>(reply: AssistantMessage, toolName: string, schema: S): ToolAnswer<Static<S>> {
    const calls = toolCalls(reply);
    const call = calls.find(candidate => candidate.name === toolName);
    if (!call) {
        const called = calls.map(other => other.name).join(', ');
        return { valid: false, problems: [called ? `called ${called} instead of the tool ${toolName}` : `answered without calling the tool ${toolName}`] };
    }
    if (Value.Check(schema, call.arguments)) {
        return { valid: true, value: call.arguments };
    }
    return { valid: false, problems: Value.Errors(schema, call.arguments).map(error => `${error.instancePath || '/'} ${error.message}`) };
}

/** Tells the model what was wrong: as the result of each of its tool calls (providers require one per call), else as a user turn. */
function feedback(reply: AssistantMessage, toolName: string, problems: string[]): Message[] {
    const text = `That answer was not accepted: ${problems.join('; ')}. Call ${toolName} again with arguments that match its schema.`;
    const calls = toolCalls(reply);
    if (calls.length === 0) {
        return [userMessage(text)];
    }
    return calls.map(call => ({
        role: 'toolResult', toolCallId: call.id, toolName: call.name, content: [{ type: 'text', text }], isError: true, timestamp: Date.now()
    }));
}

const toolCalls = (reply: AssistantMessage): ToolCall[] => reply.content.filter(block => block.type === 'toolCall');

const userMessage = (text: string): Message => ({ role: 'user', content: text, timestamp: Date.now() });

/** Sends requests for one role's call: timeout, cancellation, backoff and the usage tally. */
class ModelCaller {
    readonly site: CallSite;
    readonly usage: CrewLlmUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, cost: 0 };

    constructor(private readonly llm: CrewLlm, private readonly role: string, private readonly options: AskOptions) {
        this.site = { role, describe: llm.describe, keySource: llm.keySource };
    }

    /** A reply that is not an error, after retrying transient failures; throws a CrewLlmError otherwise. */
    async request(context: Context): Promise<AssistantMessage> {
        for (let tries = 1; ; tries++) {
            const reply = await this.send(context);
            if (reply.stopReason !== 'error') {
                return reply;
            }
            const failure = classifyFailure(reply.errorMessage ?? '', this.llm.apiKey);
            if (!failure.transient || tries === TRANSPORT_TRIES) {
                throw failureError(this.site, failure, tries);
            }
            const delayMs = FIRST_BACKOFF_MS * 2 ** (tries - 1);
            this.options.onEvent?.({ type: 'retry', role: this.role, kind: failure.kind === 'rate-limited' ? 'rate-limited' : 'provider', delayMs, detail: failure.detail });
            await this.pause(delayMs);
        }
    }

    private async send(context: Context): Promise<AssistantMessage> {
        const { signal, timeoutMs } = this.options;
        const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
        const signals = [signal, timeout].filter(candidate => candidate !== undefined);
        // maxRetries 0: the SDKs would otherwise retry on their own, unseen and without our backoff.
        const reply = await complete(this.llm.model, context, { apiKey: this.llm.apiKey, signal: AbortSignal.any(signals), maxRetries: 0 });
        if (signal?.aborted) {
            throw abortedError(this.site);
        }
        if (reply.stopReason === 'aborted') {
            throw timeout?.aborted && timeoutMs !== undefined ? timeoutError(this.site, timeoutMs) : abortedError(this.site);
        }
        this.count(reply);
        return reply;
    }

    private count(reply: AssistantMessage): void {
        const { input, output, cacheRead, cacheWrite, totalTokens, cost } = reply.usage;
        const tokens = { input, output, cacheRead, cacheWrite, totalTokens, cost: cost.total };
        for (const key of Object.keys(tokens) as (keyof CrewLlmUsage)[]) {
            this.usage[key] += tokens[key];
        }
        this.options.onEvent?.({ type: 'usage', role: this.role, usage: tokens });
    }

    private async pause(ms: number): Promise<void> {
        const { signal, sleep = (wait, abort) => delay(wait, undefined, { signal: abort }) } = this.options;
        try {
            await sleep(ms, signal);
        } catch (error) {
            if (!signal?.aborted) {
                throw error;
            }
        }
        if (signal?.aborted) {
            throw abortedError(this.site);
        }
    }
}
