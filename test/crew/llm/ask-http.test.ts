import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askStructured, askText, type CrewLlm } from '../../../language-server/src/crew/llm.js';
import { collectEvents, expectNoKey, FAKE_KEY, PlanSchema, recordingSleep, rejectionOf, resolvedLlm, validPlan } from './llm-test-helpers.js';
import {
    dropConnection, hang, httpError, startScriptedOpenAiServer, streamedText, streamedToolCall, type ScriptedOpenAiServer
} from './scripted-openai-server.js';

const request = { role: 'planner', system: 'You plan farm work.', prompt: 'Plan the harvest.', schema: PlanSchema };
const planPieces = ['{"title":"Har', 'vest","steps":[{"na', 'me":"pick","minu', 'tes":30}]}'];

let server: ScriptedOpenAiServer;
let llm: CrewLlm;
let where: string;

beforeEach(async () => {
    server = await startScriptedOpenAiServer();
    llm = resolvedLlm({ provider: 'openai', model: 'gpt-x', baseUrl: server.baseUrl }, { FSPEC_CREW_API_KEY: FAKE_KEY });
    where = `The planner's model (openai/gpt-x at ${server.baseUrl})`;
});
afterEach(() => server.close());

describe('askStructured over HTTP to an OpenAI-compatible endpoint', () => {
    it('reassembles a tool call streamed in pieces, sending the key and the schema as the only tool', async () => {
        server.enqueue(streamedToolCall('submit_planner', planPieces, { prompt_tokens: 120, completion_tokens: 30 }));
        const { events, onEvent } = collectEvents();
        const { value, usage } = await askStructured(llm, request, { onEvent });
        expect(value).toEqual(validPlan);
        const [sent] = server.requests;
        expect(sent.path).toBe('/v1/chat/completions');
        expect(sent.headers.authorization).toBe(`Bearer ${FAKE_KEY}`);
        expect(sent.body.model).toBe('gpt-x');
        expect(sent.body.tools).toEqual([{
            type: 'function',
            function: expect.objectContaining({ name: 'submit_planner', parameters: JSON.parse(JSON.stringify(PlanSchema)) })
        }]);
        expect(usage).toMatchObject({ input: 120, output: 30, totalTokens: 150 });
        expect(events).toEqual([{ type: 'usage', role: 'planner', usage: expect.objectContaining({ totalTokens: 150 }) }]);
    });

    it('answers garbage JSON arguments with a tool message carrying the validation errors, then accepts the retry', async () => {
        server.enqueue(
            streamedToolCall('submit_planner', ['{"title": "Harv', 'est", "steps": [{{{'], { prompt_tokens: 100, completion_tokens: 20 }),
            streamedToolCall('submit_planner', planPieces, { prompt_tokens: 140, completion_tokens: 30 })
        );
        const { value, usage } = await askStructured(llm, request);
        expect(value).toEqual(validPlan);
        const retryMessages: { role: string; content: unknown }[] = server.requests[1].body.messages;
        const toolMessage = retryMessages.find(message => message.role === 'tool');
        expect(JSON.stringify(toolMessage?.content)).toContain('must have required properties');
        expect(usage.totalTokens).toBe(290);
    });

    it('retries a 429 after a pause and succeeds', async () => {
        server.enqueue(httpError(429, { error: { message: 'Rate limit reached' } }), streamedToolCall('submit_planner', planPieces));
        const { sleep, delays } = recordingSleep();
        const { value } = await askStructured(llm, request, { sleep });
        expect(value).toEqual(validPlan);
        expect(server.requests).toHaveLength(2);
        expect(delays).toEqual([1000]);
    });

    it('gives up on a 429 that does not end, backing off exponentially', async () => {
        server.enqueue(...Array.from({ length: 4 }, () => httpError(429, { error: { message: 'Rate limit reached' } })));
        const { sleep, delays } = recordingSleep();
        const { events, onEvent } = collectEvents();
        const error = await rejectionOf(askStructured(llm, request, { sleep, onEvent }));
        expect(error).toMatchObject({ kind: 'rate-limited' });
        expect(error.message).toBe(`${where} was still rate-limited after 4 tries (429 Rate limit reached); wait a minute or raise the account's limit.`);
        expect(server.requests).toHaveLength(4);
        expect(delays).toEqual([1000, 2000, 4000]);
        expect(events.filter(event => event.type === 'retry')).toHaveLength(3);
        expectNoKey(error, events);
    });

    it('does not retry a 401, and never repeats the key the server echoed', async () => {
        server.enqueue(httpError(401, { error: { message: `Incorrect API key provided: ${FAKE_KEY}` } }));
        const error = await rejectionOf(askStructured(llm, request, { sleep: recordingSleep().sleep }));
        expect(error).toMatchObject({ kind: 'auth' });
        expect(error.message).toBe(`${where} rejected its API key (401 Incorrect API key provided: [key]); check FSPEC_CREW_API_KEY.`);
        expect(server.requests).toHaveLength(1);
        expectNoKey(error);
    });

    it('retries a 500 and a dropped connection like a rate limit', async () => {
        server.enqueue(httpError(500, { error: { message: 'upstream exploded' } }), dropConnection(), streamedToolCall('submit_planner', planPieces));
        const { sleep, delays } = recordingSleep();
        const { value } = await askStructured(llm, request, { sleep });
        expect(value).toEqual(validPlan);
        expect(server.requests).toHaveLength(3);
        expect(delays).toEqual([1000, 2000]);
    });

    it('names the last server failure when 5xx answers do not stop', async () => {
        server.enqueue(...Array.from({ length: 4 }, () => httpError(503, { error: { message: `overloaded, key ${FAKE_KEY}` } })));
        const error = await rejectionOf(askStructured(llm, request, { sleep: recordingSleep().sleep }));
        expect(error).toMatchObject({ kind: 'provider', message: `${where} failed after 4 tries: 503 overloaded, key [key].` });
        expectNoKey(error);
    });

    it('stops a request that hangs once timeoutMs has passed, without retrying it', async () => {
        server.enqueue(hang());
        const started = Date.now();
        const error = await rejectionOf(askStructured(llm, request, { timeoutMs: 300 }));
        const elapsed = Date.now() - started;
        expect(error).toMatchObject({ kind: 'timeout', message: `${where} did not answer within 0.3 s.` });
        expect(elapsed).toBeGreaterThanOrEqual(290);
        expect(elapsed).toBeLessThan(3000);
        expect(server.requests).toHaveLength(1);
        expectNoKey(error);
    });

    it('reports the caller\'s cancellation of a hanging request as aborted, not as a timeout', async () => {
        server.enqueue(hang());
        const cancel = new AbortController();
        setTimeout(() => cancel.abort(), 100);
        const error = await rejectionOf(askStructured(llm, request, { signal: cancel.signal, timeoutMs: 5000 }));
        expect(error).toMatchObject({ kind: 'aborted' });
    });

    it('stops waiting for a retry as soon as the caller cancels', async () => {
        server.enqueue(httpError(429, { error: { message: 'Rate limit reached' } }));
        const cancel = new AbortController();
        setTimeout(() => cancel.abort(), 100);
        const started = Date.now();
        // The real sleep: the first backoff is 1 s, the cancellation comes well before.
        const error = await rejectionOf(askStructured(llm, request, { signal: cancel.signal }));
        expect(error).toMatchObject({ kind: 'aborted' });
        expect(Date.now() - started).toBeLessThan(900);
        expect(server.requests).toHaveLength(1);
    });
});

describe('askText over HTTP', () => {
    it('joins streamed text and counts its tokens', async () => {
        server.enqueue(streamedText(['Pick the north', ' field, then', ' the south.'], { prompt_tokens: 40, completion_tokens: 9 }));
        const { text, usage } = await askText(llm, { role: 'codergen', system: 'You write steps.', prompt: 'Order the fields.' });
        expect(text).toBe('Pick the north field, then the south.');
        expect(usage).toMatchObject({ input: 40, output: 9, totalTokens: 49 });
        expect(server.requests[0].body.tools).toBeUndefined();
        expect(server.requests[0].body.messages[0]).toMatchObject({ content: 'You write steps.' });
    });

    it('times out a stream that stalls half-way', async () => {
        server.enqueue(hang('Pick the no'));
        const error = await rejectionOf(askText(llm, { role: 'codergen', system: 's', prompt: 'p' }, { timeoutMs: 300 }));
        expect(error).toMatchObject({ kind: 'timeout', message: `The codergen's model (openai/gpt-x at ${server.baseUrl}) did not answer within 0.3 s.` });
    });
});
