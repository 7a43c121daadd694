import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted OpenAI-compatible endpoint on 127.0.0.1 for tests: each POST to /v1/chat/completions
 * is answered by the next step of its script, and every request is recorded so tests can assert
 * what a real provider would have received (headers, tools, messages).
 */

export interface ScriptedUsage { prompt_tokens: number; completion_tokens: number }

export type ScriptStep =
    | { kind: 'text'; pieces: string[]; usage?: ScriptedUsage }
    | { kind: 'toolCall'; name: string; argumentPieces: string[]; usage?: ScriptedUsage }
    | { kind: 'httpError'; status: number; body: unknown; headers?: Record<string, string> }
    | { kind: 'hang'; textBeforeHang?: string }
    | { kind: 'drop' };

/** A streamed text answer, sent as one delta per piece. */
export const streamedText = (pieces: string[], usage?: ScriptedUsage): ScriptStep => ({ kind: 'text', pieces, usage });

/** A streamed tool call whose JSON arguments arrive in the given pieces (they need not be valid JSON). */
export const streamedToolCall = (name: string, argumentPieces: string[], usage?: ScriptedUsage): ScriptStep =>
    ({ kind: 'toolCall', name, argumentPieces, usage });

/** An HTTP error status with a JSON body, e.g. `httpError(429, { error: { message: 'slow down' } })`. */
export const httpError = (status: number, body: unknown, headers?: Record<string, string>): ScriptStep =>
    ({ kind: 'httpError', status, body, headers });

/** Never finishes the answer; with text, the stream starts and then stalls mid-way. */
export const hang = (textBeforeHang?: string): ScriptStep => ({ kind: 'hang', textBeforeHang });

/** Closes the connection without answering. */
export const dropConnection = (): ScriptStep => ({ kind: 'drop' });

export interface RecordedRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    /** The parsed JSON body (undefined when it was not JSON). */
    body: any;
}

export interface ScriptedOpenAiServer {
    /** The endpoint to configure as a model's baseUrl, e.g. http://127.0.0.1:PORT/v1 */
    baseUrl: string;
    requests: RecordedRequest[];
    /** Adds steps to the end of the script. */
    enqueue(...steps: ScriptStep[]): void;
    /** Steps not yet used. */
    pendingSteps(): number;
    close(): Promise<void>;
}

export async function startScriptedOpenAiServer(...steps: ScriptStep[]): Promise<ScriptedOpenAiServer> {
    const script = [...steps];
    const requests: RecordedRequest[] = [];
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', chunk => chunks.push(chunk));
        request.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: parseJson(text) });
            const step = script.shift();
            if (step) {
                answer(step, response);
            } else {
                // An exhausted script is a test bug: say so loudly instead of hanging.
                sendJson(response, 500, { error: { message: `scripted server: no step left for request ${requests.length}` } });
            }
        });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        baseUrl: `http://127.0.0.1:${port}/v1`,
        requests,
        enqueue: (...more) => { script.push(...more); },
        pendingSteps: () => script.length,
        close: () => new Promise<void>(resolve => {
            server.closeAllConnections();
            server.close(() => resolve());
        })
    };
}

function answer(step: ScriptStep, response: http.ServerResponse): void {
    switch (step.kind) {
        case 'httpError':
            sendJson(response, step.status, step.body, step.headers);
            return;
        case 'drop':
            response.socket?.destroy();
            return;
        case 'hang':
            if (step.textBeforeHang !== undefined) {
                startStream(response);
                sendChunk(response, { role: 'assistant', content: step.textBeforeHang });
            }
            return;
        case 'text':
            startStream(response);
            sendChunk(response, { role: 'assistant', content: '' });
            for (const piece of step.pieces) {
                sendChunk(response, { content: piece });
            }
            endStream(response, 'stop', step.usage);
            return;
        case 'toolCall':
            startStream(response);
            sendChunk(response, { role: 'assistant', content: '' });
            sendChunk(response, { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: step.name, arguments: '' } }] });
            for (const piece of step.argumentPieces) {
                sendChunk(response, { tool_calls: [{ index: 0, function: { arguments: piece } }] });
            }
            endStream(response, 'tool_calls', step.usage);
            return;
    }
}

function startStream(response: http.ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

function sendChunk(response: http.ServerResponse, delta: object, finishReason: string | null = null): void {
    sendEvent(response, { choices: [{ index: 0, delta, finish_reason: finishReason }] });
}

function endStream(response: http.ServerResponse, finishReason: string, usage: ScriptedUsage | undefined): void {
    sendChunk(response, {}, finishReason);
    if (usage) {
        sendEvent(response, { choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } });
    }
    response.end('data: [DONE]\n\n');
}

function sendEvent(response: http.ServerResponse, fields: object): void {
    const chunk = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 0, model: 'scripted', ...fields };
    response.write(`data: ${JSON.stringify(chunk)}\n\n`);
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}
