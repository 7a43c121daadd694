import { inspect } from 'node:util';
import { Type, type Api, type Model } from '@mariozechner/pi-ai';
import { expect } from 'vitest';
import { resolveCrewLlm, type CrewLlm, type CrewLlmEvent } from '../../../language-server/src/crew/llm.js';

/** A key no real provider issued, easy to spot if it leaks into a message. */
export const FAKE_KEY = 'sk-test-LEAKCHECK-4f9a2c';

export const PlanSchema = Type.Object({
    title: Type.String(),
    steps: Type.Array(Type.Object({ name: Type.String(), minutes: Type.Integer({ minimum: 1 }) }))
});

export const validPlan = { title: 'Harvest', steps: [{ name: 'pick', minutes: 30 }] };

/** The crew's model object for a faux model, holding FAKE_KEY as a resolved one would. */
export function testLlm(model: Model<Api>, describe: string): CrewLlm {
    const llm = { mode: 'llm', model, keySource: 'FSPEC_CREW_API_KEY', describe } as CrewLlm;
    Object.defineProperty(llm, 'apiKey', { value: FAKE_KEY, enumerable: false });
    return llm;
}

/** resolveCrewLlm's answer, which must be a model rather than offline. */
export function resolvedLlm(...args: Parameters<typeof resolveCrewLlm>): CrewLlm {
    const resolution = resolveCrewLlm(...args);
    if (resolution.mode !== 'llm') {
        throw new Error(`expected a model, got offline: ${resolution.reason}`);
    }
    return resolution;
}

/** A sleep that returns at once and remembers the delays asked for. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
    const delays: number[] = [];
    return { delays, sleep: async ms => { delays.push(ms); } };
}

export function collectEvents(): { onEvent: (event: CrewLlmEvent) => void; events: CrewLlmEvent[] } {
    const events: CrewLlmEvent[] = [];
    return { events, onEvent: event => events.push(event) };
}

/** The rejection of `promise`, which must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
    try {
        await promise;
    } catch (error) {
        return error as Error & Record<string, unknown>;
    }
    throw new Error('expected a rejection, got a result');
}

/** Fails when FAKE_KEY shows in any rendering of the given values (message, stack, JSON, inspect). */
export function expectNoKey(...values: unknown[]): void {
    for (const value of values) {
        const renderings = [String(value), inspect(value, { depth: 10 }), JSON.stringify(value) ?? ''];
        if (value instanceof Error) {
            renderings.push(value.message, value.stack ?? '');
        }
        for (const rendering of renderings) {
            expect(rendering).not.toContain(FAKE_KEY);
        }
    }
}
