import { describe, expect, test } from 'vitest';
import {
    DEFAULT_BACKOFF,
    delayForAttempt,
    isRetryableError,
    loadCheckpoint,
    RETRY_PRESETS,
    type BackoffConfig
} from '../../../language-server/src/crew/engine/index.js';
import { httpError, runDot, scriptByNode, scriptedHandler, useTempDirs } from './helpers.js';

function oneNode(attrs: string, graphAttrs = ''): string {
    return `digraph G {
        ${graphAttrs}
        start [shape=Mdiamond]
        work [type=scripted ${attrs}]
        recover [type=scripted]
        exit [shape=Msquare]
        start -> work
        work -> exit [condition="outcome=success"]
        work -> exit [condition="outcome=partial_success"]
        work -> recover [condition="outcome=fail"]
        recover -> exit
    }`;
}

const noJitter = (config: BackoffConfig): BackoffConfig => ({ ...config, jitter: false });

describe('retry logic', () => {
    const tempDir = useTempDirs();

    test('[#46] max_retries=2 with RETRY, RETRY, SUCCESS: three calls, then SUCCESS', async () => {
        const handler = scriptedHandler({ status: 'retry' }, { status: 'retry' }, { status: 'success' });
        const result = await runDot(oneNode(', max_retries=2'), tempDir(), { handlers: { scripted: handler } });
        expect(handler.calls.filter(c => c.node.id === 'work')).toHaveLength(3);
        expect(result.node_outcomes.work.status).toBe('success');
        expect(result.completed_nodes).toEqual(['start', 'work', 'exit']);
    });

    test('[#47] a FAIL outcome is not retried: one call, then failure routing (A.3 #3)', async () => {
        const handler = scriptByNode({ work: [{ status: 'fail', failure_reason: 'no' }, { status: 'fail' }, { status: 'success' }] });
        const result = await runDot(oneNode(', max_retries=2'), tempDir(), { handlers: { scripted: handler } });
        expect(handler.calls).toEqual(['work', 'recover']);
        expect(result.node_outcomes.work).toEqual({ status: 'fail', failure_reason: 'no' });
    });

    test('[#48] a node runs at most max_retries+1 times per visit; default_max_retries (or its alias) applies when omitted; else no retries', async () => {
        const cases: [string, string, number][] = [
            [', max_retries=3', '', 4],
            ['', 'default_max_retries=2', 3],
            ['', 'default_max_retry=1', 2],
            [', max_retries=0', 'default_max_retries=5', 1],
            ['', '', 1]
        ];
        for (const [attrs, graphAttrs, calls] of cases) {
            const handler = scriptByNode({ work: [{ status: 'retry' }] });
            await runDot(oneNode(attrs, graphAttrs), tempDir(), { handlers: { scripted: handler } });
            expect(handler.calls.filter(id => id === 'work')).toHaveLength(calls);
        }
    });

    test('[#49] the retry counter is per node: internal.retry_count.<id> in the context, node_retries in the checkpoint', async () => {
        const logsRoot = tempDir();
        const dot = oneNode(', max_retries=2').replace('recover [type=scripted]', 'recover [type=scripted, max_retries=1]');
        const handler = scriptByNode({ work: [{ status: 'retry' }], recover: [{ status: 'retry' }, { status: 'success' }] });
        const result = await runDot(dot, logsRoot, { handlers: { scripted: handler } });
        expect(handler.calls).toEqual(['work', 'work', 'work', 'recover', 'recover']);
        expect(result.context['internal.retry_count.work']).toBe(2);
        // recover succeeded, which resets its counter; its own budget was untouched by work's retries.
        expect(loadCheckpoint(logsRoot).node_retries).toEqual({ work: 2, recover: 0 });
    });

    test('[#50] without jitter the delay is initial × factor^(n−1), capped; the presets have the §3.6 values', () => {
        const delays = (config: BackoffConfig, n: number) => Array.from({ length: n }, (_, i) => delayForAttempt(i + 1, noJitter(config)));
        expect(delays(RETRY_PRESETS.standard.backoff, 5)).toEqual([200, 400, 800, 1600, 3200]);
        expect(delays(RETRY_PRESETS.aggressive.backoff, 5)).toEqual([500, 1000, 2000, 4000, 8000]);
        expect(delays(RETRY_PRESETS.linear.backoff, 3)).toEqual([500, 500, 500]);
        expect(delays(RETRY_PRESETS.patient.backoff, 3)).toEqual([2000, 6000, 18000]);
        expect(delays({ ...DEFAULT_BACKOFF, max_delay_ms: 1000 }, 5)).toEqual([200, 400, 800, 1000, 1000]);
        expect(Object.fromEntries(Object.entries(RETRY_PRESETS).map(([name, p]) => [name, p.max_attempts])))
            .toEqual({ none: 1, standard: 5, aggressive: 5, linear: 3, patient: 3 });
    });

    test('[#51] with jitter each delay lies within [0.5×, 1.5×] and is not always the same', () => {
        expect(delayForAttempt(2, DEFAULT_BACKOFF, () => 0)).toBe(200);
        expect(delayForAttempt(2, DEFAULT_BACKOFF, () => 0.999999)).toBeCloseTo(600, 3);
        const samples = Array.from({ length: 50 }, () => delayForAttempt(2, DEFAULT_BACKOFF));
        expect(samples.every(d => d >= 200 && d < 600)).toBe(true);
        expect(new Set(samples).size).toBeGreaterThan(1);
    });

    test('[#50] the runner waits the backoff delay between retries through the injected sleep', async () => {
        const slept: number[] = [];
        const handler = scriptedHandler({ status: 'retry' }, { status: 'retry' }, { status: 'success' });
        const result = await runDot(oneNode(', max_retries=2'), tempDir(), {
            handlers: { scripted: handler },
            backoff: { initial_delay_ms: 100, backoff_factor: 3, max_delay_ms: 10_000, jitter: true },
            random: () => 0.5,
            sleep: async ms => { slept.push(ms); }
        });
        expect(slept).toEqual([100, 300]);
        expect(result.events.filter(e => e.kind === 'StageRetrying')).toMatchObject([{ attempt: 1, delay_ms: 100 }, { attempt: 2, delay_ms: 300 }]);
    });

    test('[#52] after exhaustion a RETRY becomes FAIL "max retries exceeded" and the fail edge is followed', async () => {
        const result = await runDot(oneNode(', max_retries=1'), tempDir(), { handlers: { scripted: scriptByNode({ work: [{ status: 'retry', failure_reason: 'busy' }] }) } });
        expect(result.node_outcomes.work).toEqual({ status: 'fail', failure_reason: 'max retries exceeded: busy' });
        expect(result.completed_nodes).toEqual(['start', 'work', 'recover', 'exit']);
    });

    test('[#52] with allow_partial=true an exhausted RETRY becomes PARTIAL_SUCCESS', async () => {
        const result = await runDot(oneNode(', max_retries=1, allow_partial=true'), tempDir(), { handlers: { scripted: scriptByNode({ work: [{ status: 'retry' }] }) } });
        expect(result.node_outcomes.work).toEqual({ status: 'partial_success', notes: 'retries exhausted, partial accepted' });
        expect(result.completed_nodes).toEqual(['start', 'work', 'exit']);
    });

    test('[S8] retryable errors (429, 5xx, network, flagged) are retried; terminal ones (400, 401, 403, others) fail at once', async () => {
        const network = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        const flagged = Object.assign(new Error('overloaded'), { retryable: true });
        for (const error of [httpError(429), httpError(503), network, flagged]) {
            const handler = scriptByNode({ work: [error, { status: 'success' }] });
            const result = await runDot(oneNode(', max_retries=1'), tempDir(), { handlers: { scripted: handler } });
            expect(handler.calls.filter(id => id === 'work')).toHaveLength(2);
            expect(result.node_outcomes.work.status).toBe('success');
        }
        for (const error of [httpError(400), httpError(401), httpError(403), new TypeError('x is undefined')]) {
            const handler = scriptByNode({ work: [error, { status: 'success' }] });
            const result = await runDot(oneNode(', max_retries=3'), tempDir(), { handlers: { scripted: handler } });
            expect(handler.calls).toEqual(['work', 'recover']);
            expect(result.node_outcomes.work).toEqual({ status: 'fail', failure_reason: error.message });
        }
    });

    test('[S8] isRetryableError classifies by status, code, flag and cause', () => {
        expect([408, 429, 500, 599].map(s => isRetryableError(httpError(s)))).toEqual([true, true, true, true]);
        expect([400, 401, 403, 404, 422].map(s => isRetryableError(httpError(s)))).toEqual([false, false, false, false, false]);
        expect(isRetryableError(Object.assign(new Error('x'), { statusCode: 502 }))).toBe(true);
        expect(isRetryableError(new Error('wrapped', { cause: Object.assign(new Error('net'), { code: 'ETIMEDOUT' }) }))).toBe(true);
        expect(isRetryableError(Object.assign(httpError(503), { retryable: false }))).toBe(false);
        expect(isRetryableError('a string')).toBe(false);
    });

    test('a retryable error that outlasts the retries fails the node with its message', async () => {
        const result = await runDot(oneNode(', max_retries=1'), tempDir(), { handlers: { scripted: scriptByNode({ work: [httpError(503)] }) } });
        expect(result.node_outcomes.work).toEqual({ status: 'fail', failure_reason: 'HTTP 503' });
    });
});
