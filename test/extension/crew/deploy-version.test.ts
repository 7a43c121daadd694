import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { AcceptanceReport, DeployResult } from '../../../language-server/src/protocol.js';
import { fake, window, workspace, type FakeDocument } from '../../webviews/fake-vscode.js';
import { registerCrewWithFakeClient, type FakeCrewClient } from './fake-crew-client.js';

vi.mock('vscode', () => import('../../webviews/fake-vscode.js'));

const specPath = '/work/farm-ops.fspec';
const specUri = 'file:///work/farm-ops.fspec';
const run = (command: string, ...args: unknown[]) => fake.commands.get(command)!(...args);

const report: AcceptanceReport = {
    spec: 'FarmOps', version: '0.3.0', today: '2025-06-02', ok: false, summary: { tests: 2, passed: 1, failed: 0, notGrown: 1 },
    tests: [
        { name: 'tuesday_reserved', title: 'All Tuesday contracts reserved', covers: ['contract_allocation.allocate'], status: 'pass', unchecked: [], checks: [] },
        {
            name: 'tuesday_shortfalls_realized', title: 'Reserve Tuesday contracts first', covers: ['contract_allocation.shortfall_alerts'], status: 'not-grown',
            reason: 'No check could be derived from what it covers.', unchecked: [], checks: []
        }
    ],
    datasets: [{ name: 'sample', description: 'the stored records', runs: [] }], noEdgeCase: [], sandbox: 'local',
    build: { out: '/work/.factory/build/0.3.0', written: true, kept: [] }, durationMs: 900
};

const failed: DeployResult = {
    status: 'failed', spec: 'FarmOps', version: '0.3.0', previous: '0.2.0', report,
    message: 'The deploy of FarmOps 0.3.0 failed (0 failed and 1 not grown of 2 acceptance tests); 0.2.0 stays deployed.'
};

let client: FakeCrewClient;
let spec: FakeDocument;
let warnings: Array<{ text: string, items: string[] }>;
let answer: string | undefined;
let opened: Array<{ content?: string, language?: string }>;

beforeEach(() => {
    client = registerCrewWithFakeClient();
    spec = fake.document(specPath, 'spec FarmOps version "0.3.0" {}');
    warnings = [];
    answer = undefined;
    opened = [];
    vi.spyOn(window, 'showWarningMessage').mockImplementation((async (text: string, ...items: string[]) => {
        warnings.push({ text, items });
        return answer;
    }) as never);
    vi.spyOn(workspace, 'openTextDocument').mockImplementation((async (options: { content?: string, language?: string }) => {
        opened.push(options);
        return { uri: { toString: () => 'untitled:Untitled-1', path: 'Untitled-1' }, languageId: options.language };
    }) as never);
});

describe('Deploy Approved Version', () => {
    test('deploys the approved version under a progress notification and says what passed', async () => {
        const message = 'FarmOps 0.3.0 is deployed: 3 acceptance tests passed in the local sandbox on 2025-06-02; tag fspec/FarmOps/deployed/v0.3.0.';
        client.answers.set('fspec/deployVersion', () => ({ status: 'deployed', spec: 'FarmOps', version: '0.3.0', previous: '0.2.0', tag: 'fspec/FarmOps/deployed/v0.3.0', message }));
        await run('fspec.deployVersion', specUri);

        expect(client.sent('fspec/deployVersion')).toEqual([{ uri: specUri }]);
        expect(fake.progress).toHaveLength(1);
        expect(fake.progress[0]).toMatchObject({ options: { title: 'Deploying the approved version of farm-ops.fspec: build, acceptance tests, deployed mark', cancellable: false }, done: true });
        expect(fake.messages).toEqual([{ kind: 'information', text: message }]);
        expect(warnings).toEqual([]);
    });

    test('a failed deploy is a warning with the reason; Show Test Report opens the acceptance report', async () => {
        client.answers.set('fspec/deployVersion', () => failed);
        await run('fspec.deployVersion', specUri);
        expect(warnings).toEqual([{ text: failed.message, items: ['Show Test Report'] }]);
        expect(opened).toEqual([]);

        answer = 'Show Test Report';
        await run('fspec.deployVersion', specUri);
        expect(opened).toHaveLength(1);
        expect(opened[0].language).toBe('plaintext');
        expect(opened[0].content).toContain('PASS tuesday_reserved: All Tuesday contracts reserved');
        expect(opened[0].content).toContain('NOT GROWN tuesday_shortfalls_realized: Reserve Tuesday contracts first\n    No check could be derived from what it covers.');
        expect(opened[0].content).toContain('2 tests: 1 passed, 0 failed, 1 not grown.');
        expect(fake.shown.at(-1)?.uri).toBe('untitled:Untitled-1');
        expect(fake.messages).toEqual([]);
    });

    test('a refusal without a test run is a warning with no report to show', async () => {
        const message = 'FarmOps 0.3.0 is deployed already (tag fspec/FarmOps/deployed/v0.3.0).';
        client.answers.set('fspec/deployVersion', () => ({ status: 'refused', spec: 'FarmOps', version: '0.3.0', previous: '0.3.0', message }));
        await run('fspec.deployVersion', specUri);
        expect(warnings).toEqual([{ text: message, items: [] }]);
    });

    test('refuses an unsaved spec, asking to save it first, and sends nothing', async () => {
        spec.isDirty = true;
        await run('fspec.deployVersion', specUri);
        expect(warnings).toEqual([{ text: 'Save farm-ops.fspec before deploying: the Deployer deploys its approved version as recorded in git, not unsaved edits.', items: [] }]);
        expect(client.requests).toEqual([]);
        expect(fake.progress).toEqual([]);
    });

    test('without an open spec it says what to open', async () => {
        await run('fspec.deployVersion');
        expect(fake.messages).toEqual([{ kind: 'information', text: 'Open a .fspec file to deploy its approved version.' }]);
        expect(client.requests).toEqual([]);
    });
});
