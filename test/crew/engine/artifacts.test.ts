import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactNotFoundError, ArtifactStore, FILE_BACKING_THRESHOLD } from '../../../language-server/src/crew/engine/index.js';
import { runDot, useTempDirs } from './helpers.js';

describe('the artifact store (§5.5)', () => {
    const dirs = useTempDirs();

    it('[S21] keeps artifacts up to 100 KB in memory and writes larger ones to {logs_root}/artifacts/{id}.json', () => {
        const logsRoot = dirs();
        const store = new ArtifactStore(logsRoot);
        const small = store.store('plan.response', 'the plan', { beds: ['north', 'south'] });
        expect(small).toMatchObject({ id: 'plan.response', name: 'the plan', is_file_backed: false, size_bytes: 26 });
        expect(existsSync(join(logsRoot, 'artifacts'))).toBe(false);

        const text = 'x'.repeat(FILE_BACKING_THRESHOLD + 1);
        const large = store.store('build.output', 'the build log', text);
        expect(large.is_file_backed).toBe(true);
        expect(large.size_bytes).toBe(FILE_BACKING_THRESHOLD + 3);
        expect(JSON.parse(readFileSync(join(logsRoot, 'artifacts', 'build.output.json'), 'utf8'))).toBe(text);

        expect(store.retrieve('plan.response')).toEqual({ beds: ['north', 'south'] });
        expect(store.retrieve('build.output')).toBe(text);
        expect(store.has('plan.response')).toBe(true);
        expect(store.list().map(info => info.id)).toEqual(['plan.response', 'build.output']);
        expect(() => store.retrieve('nothing')).toThrow(ArtifactNotFoundError);
        expect(() => store.retrieve('nothing')).toThrow('artifact nothing not found');
    });

    it('[S21] storing an id again replaces it, remove and clear delete the files of file-backed artifacts', () => {
        const logsRoot = dirs();
        const store = new ArtifactStore(logsRoot);
        store.store('log', 'log', 'y'.repeat(FILE_BACKING_THRESHOLD * 2));
        store.store('log', 'log', 'short now');
        expect(readdirSync(join(logsRoot, 'artifacts'))).toEqual([]);
        expect(store.retrieve('log')).toBe('short now');
        store.store('a', 'a', 'z'.repeat(FILE_BACKING_THRESHOLD * 2));
        store.remove('a');
        expect(store.has('a')).toBe(false);
        expect(readdirSync(join(logsRoot, 'artifacts'))).toEqual([]);
        store.store('b', 'b', 'z'.repeat(FILE_BACKING_THRESHOLD * 2));
        store.clear();
        expect(store.list()).toEqual([]);
        expect(readdirSync(join(logsRoot, 'artifacts'))).toEqual([]);
    });

    it('[S21] a tool output over 100 KB goes to the artifact store; the context and the checkpoint keep its start and the artifact id', async () => {
        const logsRoot = dirs();
        const result = await runDot(`digraph Big {
            start [shape=Mdiamond]
            dump [shape=parallelogram, tool_command="head -c 300000 /dev/zero | tr '\\\\0' 'a'"]
            small [shape=parallelogram, tool_command="echo ok"]
            exit [shape=Msquare]
            start -> dump -> small -> exit
        }`, logsRoot);
        expect(result.status).toBe('success');
        const artifact = JSON.parse(readFileSync(join(logsRoot, 'artifacts', 'dump.output.json'), 'utf8')) as string;
        expect(artifact).toBe('a'.repeat(300_000));
        // The next tool's small output replaced tool.output and cleared the artifact pointer.
        expect(result.context['tool.output']).toBe('ok');
        expect(result.context['tool.output_artifact']).toBe('');
        const checkpoints = statSync(join(logsRoot, 'checkpoint.json')).size;
        expect(checkpoints).toBeLessThan(20_000);
        expect(result.events.find(e => e.kind === 'PipelineCompleted')).toMatchObject({ artifact_count: 2 });
    });

    it('[S21] while the large output is the latest, conditions see its start and the id of the whole', async () => {
        const logsRoot = dirs();
        const result = await runDot(`digraph Big {
            start [shape=Mdiamond]
            dump [shape=parallelogram, tool_command="head -c 200000 /dev/zero | tr '\\\\0' 'b'"]
            exit [shape=Msquare]
            start -> dump
            dump -> exit [condition="context.tool.output_artifact=dump.output"]
        }`, logsRoot);
        expect(result.status).toBe('success');
        expect(result.context['tool.output']).toBe(`${'b'.repeat(4000)}…`);
    });
});
