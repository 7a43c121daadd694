import { beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { MutationPr, PlanResult } from '../../../language-server/src/protocol.js';
import { DiagnosticSeverity, fake, TextDocumentSaveReason, Uri, window, workspace, type FakeDocument } from '../../webviews/fake-vscode.js';
import { deferred, growthResult, registerCrewWithFakeClient, type FakeCrewClient } from './fake-crew-client.js';
import { farmPr, vetoedDesire } from './mutation-pr-fixture.js';

vi.mock('vscode', () => import('../../webviews/fake-vscode.js'));

const specPath = '/work/farm-ops.fspec';
const specUri = 'file:///work/farm-ops.fspec';
const settle = () => new Promise(resolve => setTimeout(resolve, 0));
const run = (command: string, ...args: unknown[]) => fake.commands.get(command)!(...args);
const stage = (label: string, role: string, runId = 'run-1') =>
    ({ runId, uri: specUri, event: { kind: 'stage' as const, node: label, label, role, status: 'started' as const } });

let pr: MutationPr;
let vetoed: MutationPr;
let client: FakeCrewClient;
let spec: FakeDocument;
let diffs: unknown[][];
let errors: Array<{ text: string, items: string[] }>;

function plan(desires: PlanResult['input']['new_desires']): PlanResult {
    return { input: { spec_graph_id: 'sg-000000000000', new_desires: desires }, output: { morphs: [], tests: [] }, planner: 'offline' };
}

beforeAll(async () => {
    [pr, vetoed] = await Promise.all([farmPr(), farmPr(vetoedDesire, 'run-v')]);
});

beforeEach(() => {
    client = registerCrewWithFakeClient();
    diffs = [];
    fake.commands.set('vscode.diff', (...args: unknown[]) => void diffs.push(args));
    errors = [];
    vi.spyOn(window, 'showErrorMessage').mockImplementation(async (text: string, ...items: string[]) => {
        errors.push({ text, items });
        return undefined;
    });
    spec = fake.document(specPath, pr.before);
});

describe('starting a growth', () => {
    test('saving a spec with new desires grows it, shows the crew at work, and opens the mutation PR beside it', async () => {
        client.answers.set('fspec/plan', () => plan(pr.desires));
        client.answers.set('fspec/simulate', async () => {
            client.runEvent(stage('Propose morphs', 'Planner'));
            // While it runs: a status bar item, clicked for the output.
            expect(fake.statusBarItems[0]).toMatchObject({ visible: true, text: '$(sync~spin) FarmOps: Planner: Propose morphs', command: 'fspec.showOutput' });
            client.runEvent(stage('Identity invariants and morph rules', 'Safety'));
            return growthResult('awaiting-review', pr);
        });
        await spec.save();
        await settle();
        expect(client.sent('fspec/plan')).toEqual([{ uri: specUri }]);
        expect(client.sent('fspec/simulate')).toEqual([{ uri: specUri }]);
        expect(fake.progress).toHaveLength(1);
        expect(fake.progress[0]).toMatchObject({ options: { title: 'Growing FarmOps', cancellable: true }, done: true });
        expect(fake.progress[0].messages).toEqual(['Planner: Propose morphs', 'Safety: Identity invariants and morph rules']);
        expect(fake.statusBarItems[0].visible).toBe(false);

        // The text diff of the spec, from virtual documents.
        expect(diffs).toHaveLength(1);
        const [before, after, title, options] = diffs[0] as [object, object, string, object];
        expect([String(before), String(after)]).toEqual(['fspec-pr:/run-1/before/farm-ops.fspec', 'fspec-pr:/run-1/after/farm-ops.fspec']);
        expect(title).toBe('FarmOps: 0.2.0 ↔ 0.3.0 (mutation PR)');
        expect(options).toMatchObject({ viewColumn: -2, preserveFocus: true });
        const documents = fake.contentProviders.get('fspec-pr')!;
        expect(documents.provideTextDocumentContent(before as never)).toBe(pr.before);
        expect(documents.provideTextDocumentContent(after as never)).toContain('spec FarmOps version "0.3.0" stage grown {');

        // The PR view: a strict page, sent the PR once its script is ready.
        const [panel] = fake.panels;
        expect(panel).toMatchObject({ viewType: 'fspec.mutationPr', viewColumn: -2, title: 'Review: FarmOps 0.2.0 → 0.3.0' });
        expect(panel.createOptions).toMatchObject({ enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [Uri.file('/ext/out/webviews')] });
        expect(panel.webview.html).toMatch(/Content-Security-Policy" content="default-src 'none'; script-src 'nonce-[A-Za-z0-9]{32}'/);
        expect(panel.webview.html).toContain('src="file:///ext/out/webviews/mutation-pr.js"');
        expect(panel.posted).toEqual([]);
        panel.say({ type: 'ready' });
        expect(panel.posted).toEqual([{ type: 'pr', pr, review: { phase: 'open' } }]);
        expect(fake.messages).toEqual([]);
    });

    test('a save starts nothing without new desires, for other languages, or with fspec.crew.growOnSave off', async () => {
        client.answers.set('fspec/plan', () => plan([]));
        await spec.save();
        await settle();
        expect(client.sent('fspec/plan')).toHaveLength(1);
        fake.document('/work/notes.md', '# notes', 'markdown').save();
        fake.settings.set('fspec.crew.growOnSave', false);
        client.answers.set('fspec/plan', () => plan(pr.desires));
        await spec.save();
        await settle();
        expect(client.sent('fspec/plan')).toHaveLength(1);
        expect(client.sent('fspec/simulate')).toEqual([]);
        expect(fake.progress).toEqual([]);
    });

    test('auto save (after a delay, on focus change) grows nothing; the save the user makes does', async () => {
        client.answers.set('fspec/plan', () => plan(pr.desires));
        client.answers.set('fspec/simulate', () => growthResult('awaiting-review', pr));
        await spec.save(TextDocumentSaveReason.AfterDelay);
        await spec.save(TextDocumentSaveReason.FocusOut);
        await settle();
        expect(spec.saves).toBe(2);
        expect(client.sent('fspec/plan')).toEqual([]);
        expect(fake.progress).toEqual([]);
        await spec.save(TextDocumentSaveReason.Manual);
        await settle();
        expect(client.sent('fspec/simulate')).toEqual([{ uri: specUri }]);
        expect(fake.panels.map(panel => panel.viewType)).toEqual(['fspec.mutationPr']);
    });

    test('a growth the spec\'s errors keep from starting says so in a notice that closes once they are fixed, or the spec is closed', async () => {
        const message = 'farm-ops.fspec has 1 error; fix it before growing (line 12: Unknown guardrail \'no_phi\').';
        client.answers.set('fspec/simulate', () => growthResult('failed', undefined, { message, specErrors: 1 }));
        fake.publishDiagnostics(specPath, [{ severity: DiagnosticSeverity.Error, message: 'Unknown guardrail \'no_phi\'' }]);
        await run('fspec.grow', specUri);
        await settle();
        // Growing, then the notice: open while the error is there, whatever else is published.
        expect(fake.progress.map(progress => [progress.options.title, progress.done])).toEqual([['Growing FarmOps', true], [message, false]]);
        expect(errors).toEqual([]);
        fake.publishDiagnostics(specPath, [{ severity: DiagnosticSeverity.Error, message: 'Unknown guardrail \'no_ph\'' }, { severity: DiagnosticSeverity.Warning, message: 'w' }]);
        fake.publishDiagnostics('/work/other.fspec', []);
        await settle();
        expect(fake.progress[1].done).toBe(false);
        fake.publishDiagnostics(specPath, [{ severity: DiagnosticSeverity.Warning, message: 'w' }]);
        await settle();
        expect(fake.progress[1].done).toBe(true);

        await run('fspec.grow', specUri);
        await settle();
        expect(fake.progress[3]).toMatchObject({ options: { title: message }, done: false });
        fake.close(spec);
        await settle();
        expect(fake.progress[3].done).toBe(true);
    });

    test('fspec.grow grows the active spec, or the uri the code lens passes; only then is "nothing to grow" said', async () => {
        client.answers.set('fspec/simulate', () => growthResult('nothing-to-grow', undefined));
        await run('fspec.grow');
        expect(fake.messages).toEqual([{ kind: 'information', text: 'Open a .fspec file to grow it.' }]);
        window.activeTextEditor = fake.editor(specPath);
        await run('fspec.grow');
        await run('fspec.grow', specUri);
        expect(client.sent('fspec/simulate')).toEqual([{ uri: specUri }, { uri: specUri }]);
        expect(fake.messages.slice(1)).toEqual(Array(2).fill({ kind: 'information', text: 'FarmOps has no new desires to grow from.' }));
        // The planner saw new desires the run then did not grow from: a save stays silent.
        client.answers.set('fspec/plan', () => plan(pr.desires));
        await spec.save();
        await settle();
        expect(client.sent('fspec/simulate')).toHaveLength(3);
        expect(fake.messages).toHaveLength(3);
    });
});

describe('cancelling', () => {
    test('Cancel before the run is known is sent once its first event names it; the run ends with a warning', async () => {
        const answer = deferred<unknown>();
        client.answers.set('fspec/simulate', () => answer.promise);
        const growing = run('fspec.grow', specUri);
        await settle();
        fake.progress[0].cancel();
        expect(client.sent('fspec/cancel')).toEqual([]);
        expect(fake.statusBarItems[0].text).toBe('$(sync~spin) FarmOps: Cancelling…');
        // Another spec's run is not this one.
        client.runEvent({ ...stage('Propose morphs', 'Planner', 'run-other'), uri: 'file:///work/policy.fspec' });
        expect(client.sent('fspec/cancel')).toEqual([]);
        client.runEvent(stage('Refine the new desires', 'Planner', 'run-7'));
        expect(client.sent('fspec/cancel')).toEqual([{ runId: 'run-7' }]);
        expect(fake.progress[0].messages).toEqual(['Cancelling…']);
        answer.resolve(growthResult('cancelled', undefined, { runId: 'run-7' }));
        await growing;
        expect(fake.messages).toEqual([{ kind: 'warning', text: 'The growth of FarmOps was cancelled.' }]);
        expect(fake.statusBarItems[0].visible).toBe(false);
    });

    test('Cancel once the run is known is sent at once; a second growth of the same spec waits for the first', async () => {
        const answer = deferred<unknown>();
        client.answers.set('fspec/simulate', () => answer.promise);
        const growing = run('fspec.grow', specUri);
        await settle();
        client.runEvent(stage('Propose morphs', 'Planner', 'run-8'));
        await run('fspec.grow', specUri);
        expect(fake.messages).toEqual([{ kind: 'information', text: 'The crew is already at work on FarmOps.' }]);
        fake.progress[0].cancel();
        expect(client.sent('fspec/cancel')).toEqual([{ runId: 'run-8' }]);
        answer.resolve(growthResult('cancelled', undefined, { runId: 'run-8' }));
        await growing;
        expect(client.sent('fspec/simulate')).toHaveLength(1);
    });
});

describe('outcomes', () => {
    test('a veto is an error naming it, whose Show Details opens the PR with the vetoes and no way to approve', async () => {
        expect(vetoed.safety.verdict).toBe('vetoed');
        vi.mocked(window.showErrorMessage).mockImplementation(async (text: string, ...items: string[]) => {
            errors.push({ text, items });
            return 'Show Details';
        });
        client.answers.set('fspec/simulate', () => growthResult('vetoed', vetoed, { runId: 'run-v' }));
        await run('fspec.grow', specUri);
        await settle();
        expect(errors).toEqual([{ text: 'Safety vetoed the growth of FarmOps: Morph add_guardrail is not allowed.', items: ['Show Details'] }]);
        const [panel] = fake.panels;
        panel.say({ type: 'ready' });
        expect(panel.sent('pr')).toEqual([{ type: 'pr', pr: vetoed, review: { phase: 'ended', status: 'vetoed', message: errors[0].text } }]);
        panel.say({ type: 'approve', runId: 'run-v' });
        expect(client.sent('fspec/deploy')).toEqual([]);
        // Closing it cancels nothing: the run has ended.
        panel.dispose();
        expect(client.sent('fspec/cancel')).toEqual([]);
    });

    test('a failed run, and a server that fails the request, are errors with the reason', async () => {
        client.answers.set('fspec/simulate', () => growthResult('failed', undefined));
        await run('fspec.grow', specUri);
        client.answers.set('fspec/simulate', () => Promise.reject(new Error('Request fspec/simulate failed: the connection was closed')));
        await run('fspec.grow', specUri);
        expect(errors.map(e => e.text)).toEqual([
            'The Compiler failed: the proposal names pipeline harvest, which the spec does not have.',
            'Growing FarmOps failed: Request fspec/simulate failed: the connection was closed'
        ]);
        expect(fake.panels).toEqual([]);
    });

    test('a spec in no git repository: Initialize Repository makes the workspace folder one and grows again; dismissed, nothing is made', async () => {
        const notARepository = 'The folder /work is not in a git repository, so the growth could not be recorded in the lineage.';
        let simulated = 0;
        client.answers.set('fspec/simulate', () => ++simulated === 1 || simulated === 3
            ? growthResult('failed', undefined, { message: notARepository, repositoryMissing: '/work' })
            : growthResult('awaiting-review', pr));
        client.answers.set('fspec/initRepository', () => ({ root: '/work' }));
        workspace.workspaceFolders.push({ uri: Uri.file('/work'), name: 'work' });
        vi.mocked(window.showErrorMessage).mockImplementation(async (text: string, ...items: string[]) => {
            errors.push({ text, items });
            return items[0];
        });
        await run('fspec.grow', specUri);
        expect(errors).toEqual([{ text: notARepository, items: ['Initialize Repository'] }]);
        expect(client.sent('fspec/initRepository')).toEqual([{ folder: 'file:///work' }]);
        expect(fake.messages).toEqual([{ kind: 'information', text: 'Initialized a git repository in /work for the spec\'s lineage.' }]);
        // Grown again at once: its PR is open.
        expect(client.sent('fspec/simulate')).toHaveLength(2);
        expect(fake.panels).toHaveLength(1);

        vi.mocked(window.showErrorMessage).mockImplementation(async (text: string, ...items: string[]) => {
            errors.push({ text, items });
            return undefined;
        });
        fake.panels[0].dispose();
        await run('fspec.grow', specUri);
        expect(client.sent('fspec/initRepository')).toHaveLength(1);
        expect(client.sent('fspec/simulate')).toHaveLength(3);
    });
});

