import { fauxAssistantMessage, fauxText, fauxToolCall, registerFauxProvider, type Context, type FauxProviderRegistration, type Message } from '@mariozechner/pi-ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askStructured, askText, CrewLlmError, type CrewLlm } from '../../../language-server/src/crew/llm.js';
import { collectEvents, expectNoKey, PlanSchema, recordingSleep, rejectionOf, testLlm, validPlan } from './llm-test-helpers.js';

const request = { role: 'planner', system: 'You plan farm work.', prompt: 'Plan the harvest.', schema: PlanSchema };

let faux: FauxProviderRegistration;
let llm: CrewLlm;

beforeEach(() => {
    faux = registerFauxProvider();
    llm = testLlm(faux.getModel(), 'faux/faux-1');
});
afterEach(() => faux.unregister());

/** A faux step that answers `reply` and keeps a copy of the conversation the model was sent. */
function seeing(seen: Message[][], reply: ReturnType<typeof fauxAssistantMessage>) {
    return (context: Context) => {
        seen.push(structuredClone(context.messages));
        return reply;
    };
}

describe('askStructured with the faux provider', () => {
    it('returns the tool call\'s arguments as the typed answer, offering the schema as the only tool', async () => {
        let offered: Context | undefined;
        faux.setResponses([context => {
            offered = context;
            return fauxAssistantMessage(fauxToolCall('submit_planner', validPlan), { stopReason: 'toolUse' });
        }]);
        const { value, usage } = await askStructured(llm, request);
        expect(value).toEqual(validPlan);
        expect(offered?.tools?.map(tool => [tool.name, tool.parameters])).toEqual([['submit_planner', PlanSchema]]);
        expect(offered?.systemPrompt).toContain('You plan farm work.');
        expect(offered?.systemPrompt).toContain('submit_planner');
        expect(usage.totalTokens).toBeGreaterThan(0);
    });

    it('sends wrong-shaped arguments back as a tool error naming the problem, and accepts the second answer', async () => {
        const seen: Message[][] = [];
        faux.setResponses([
            fauxAssistantMessage(fauxToolCall('submit_planner', { title: 7, steps: [{ name: 'pick' }] }), { stopReason: 'toolUse' }),
            seeing(seen, fauxAssistantMessage(fauxToolCall('submit_planner', validPlan), { stopReason: 'toolUse' }))
        ]);
        const { events, onEvent } = collectEvents();
        const { value } = await askStructured(llm, request, { onEvent });
        expect(value).toEqual(validPlan);
        expect(faux.state.callCount).toBe(2);
        const retry = seen[0].at(-1);
        expect(retry).toMatchObject({ role: 'toolResult', toolName: 'submit_planner', isError: true });
        const retryText = JSON.stringify(retry);
        expect(retryText).toContain('/title must be string');
        expect(retryText).toContain('/steps/0 must have required properties minutes');
        expect(events).toContainEqual(expect.objectContaining({ type: 'invalid-output', attempt: 1 }));
    });

    it('asks again in a user turn when the model answers in prose instead of calling the tool', async () => {
        const seen: Message[][] = [];
        faux.setResponses([
            fauxAssistantMessage('Here is my plan: pick everything.'),
            seeing(seen, fauxAssistantMessage(fauxToolCall('submit_planner', validPlan), { stopReason: 'toolUse' }))
        ]);
        const { value } = await askStructured(llm, request);
        expect(value).toEqual(validPlan);
        expect(seen[0].at(-1)).toMatchObject({ role: 'user' });
        expect(JSON.stringify(seen[0].at(-1))).toContain('answered without calling the tool submit_planner');
    });

    it('gives up with invalid-output after maxAttempts answers, naming the role, the attempts and the problem', async () => {
        const wrong = fauxAssistantMessage(fauxToolCall('submit_planner', { title: 'Harvest', steps: 'all of them' }), { stopReason: 'toolUse' });
        faux.setResponses([wrong, wrong, wrong, wrong]);
        const error = await rejectionOf(askStructured(llm, request));
        expect(error).toBeInstanceOf(CrewLlmError);
        expect(error).toMatchObject({ kind: 'invalid-output', role: 'planner' });
        expect(error.message).toBe('The planner\'s model (faux/faux-1) gave no valid answer in 3 attempts (last: /steps must be array).');
        expect(faux.state.callCount).toBe(3);
        expectNoKey(error);
    });

    it('honours a smaller maxAttempts', async () => {
        faux.setResponses([fauxAssistantMessage(fauxText('no')), fauxAssistantMessage(fauxText('still no'))]);
        const error = await rejectionOf(askStructured(llm, request, { maxAttempts: 1 }));
        expect(error).toMatchObject({ kind: 'invalid-output' });
        expect(faux.state.callCount).toBe(1);
    });

    it('reports a cancelled call as aborted without asking the model again', async () => {
        faux.setResponses([fauxAssistantMessage(fauxToolCall('submit_planner', validPlan), { stopReason: 'toolUse' })]);
        const cancelled = new AbortController();
        cancelled.abort();
        const error = await rejectionOf(askStructured(llm, request, { signal: cancelled.signal }));
        expect(error).toMatchObject({ kind: 'aborted', message: 'The planner\'s call to faux/faux-1 was cancelled.' });
        expect(faux.state.callCount).toBe(1);
    });

    it('turns a provider error without a status into a provider error, not retried', async () => {
        const error = await rejectionOf(askStructured(llm, request));
        expect(error).toMatchObject({ kind: 'provider', message: 'The planner\'s model (faux/faux-1) failed: No more faux responses queued.' });
        expect(faux.state.callCount).toBe(1);
    });
});

describe('provider error texts as the SDKs word them', () => {
    it.each([
        ['429 Too Many Requests', 'rate-limited', 4],
        ['{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}', 'rate-limited', 4],
        ['ThrottlingException: Rate exceeded', 'rate-limited', 4],
        ['401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', 'auth', 1],
        ['got status: 403 Forbidden', 'auth', 1],
        ['503 Service Unavailable', 'provider', 4],
        ['API error occurred: Status 502', 'provider', 4],
        ['Connection error.', 'provider', 4],
        ['400 model does not support tools', 'provider', 1]
    ])('%s → %s after %i request(s)', async (errorMessage, kind, requests) => {
        const failing = fauxAssistantMessage([], { stopReason: 'error', errorMessage });
        faux.setResponses(Array.from({ length: 5 }, () => failing));
        const { sleep, delays } = recordingSleep();
        const error = await rejectionOf(askStructured(llm, request, { sleep }));
        expect(error).toMatchObject({ kind });
        expect(faux.state.callCount).toBe(requests);
        expect(delays).toEqual([1000, 2000, 4000].slice(0, requests - 1));
    });

    it('blanks the key when a provider echoes it back', async () => {
        faux.setResponses([fauxAssistantMessage([], { stopReason: 'error', errorMessage: `401 Incorrect API key provided: ${llm.apiKey}` })]);
        const error = await rejectionOf(askStructured(llm, request));
        expect(error.message).toBe('The planner\'s model (faux/faux-1) rejected its API key (401 Incorrect API key provided: [key]); check FSPEC_CREW_API_KEY.');
        expectNoKey(error);
    });
});

describe('askText with the faux provider', () => {
    it('returns the model\'s text and its usage', async () => {
        faux.setResponses([fauxAssistantMessage('Pick the north field first, then the south field.')]);
        const { text, usage } = await askText(llm, { role: 'codergen', system: 'You write steps.', prompt: 'Order the fields.' });
        expect(text).toBe('Pick the north field first, then the south field.');
        expect(usage.output).toBeGreaterThan(0);
    });

    it('rejects an answer cut off at the output limit', async () => {
        faux.setResponses([fauxAssistantMessage('Pick the north', { stopReason: 'length' })]);
        const error = await rejectionOf(askText(llm, { role: 'codergen', system: 's', prompt: 'p' }));
        expect(error).toMatchObject({ kind: 'invalid-output', message: 'The codergen\'s model (faux/faux-1) stopped at its output limit before finishing the answer.' });
    });
});
