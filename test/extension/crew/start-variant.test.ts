import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { LineageResult, StartedVariant } from '../../../language-server/src/protocol.js';
import { fake, window } from '../../webviews/fake-vscode.js';
import { registerCrewWithFakeClient, type FakeCrewClient } from './fake-crew-client.js';

vi.mock('vscode', () => import('../../webviews/fake-vscode.js'));

const specPath = '/work/farm-ops.fspec';
const specUri = 'file:///work/farm-ops.fspec';
const run = (command: string, ...args: unknown[]) => fake.commands.get(command)!(...args);

const recorded = (version: string, more: Partial<LineageResult['recorded'][number]> = {}): LineageResult['recorded'][number] => ({
    version, tag: `fspec/FarmOps/v${version}`, commit: `${version.replace(/\D/g, '')}abcdef0123`, date: '2026-11-23T10:00:00+00:00',
    morphs: [], reachable: true, rolledBack: false, ...more
});

function lineage(versions: LineageResult['recorded']): LineageResult {
    return { spec: 'FarmOps', version: '0.3.0', entries: [], approved: { location: 'git tag fspec/FarmOps/v0.3.0', version: '0.3.0' }, recorded: versions, variants: [] };
}

const started: StartedVariant = {
    spec: 'FarmOps', variant: 'coastal', branch: 'fspec/FarmOps/coastal', from: '0.2.0', commit: '20abcdef0123',
    message: 'Started the variant coastal of FarmOps at 0.2.0: the branch fspec/FarmOps/coastal is checked out, so the growths that follow are its versions (next 0.3.0-coastal).'
};

let client: FakeCrewClient;
let inputs: Array<{ title?: string, validateInput?: (value: string) => string | undefined }>;
let picks: Array<{ items: Array<{ label: string, description?: string }>, title?: string }>;

beforeEach(() => {
    client = registerCrewWithFakeClient();
    inputs = [];
    picks = [];
    vi.spyOn(window, 'showInputBox').mockImplementation(async options => {
        inputs.push(options as never);
        return 'coastal';
    });
    vi.spyOn(window, 'showQuickPick').mockImplementation((async (items: Array<{ label: string }>, options: { title?: string }) => {
        picks.push({ items, title: options.title });
        return items.find(item => item.label === '0.2.0');
    }) as never);
});

describe('Start Variant', () => {
    test('asks for a valid name and the version to start from, then starts it on the server and says where growths go', async () => {
        fake.document(specPath, 'spec FarmOps version "0.3.0" {}');
        client.answers.set('fspec/lineage', () => lineage([recorded('0.4.0', { rolledBack: true }), recorded('0.3.0', { stage: 'adult' }), recorded('0.2.0', { reachable: false })]));
        client.answers.set('fspec/startVariant', () => started);
        await run('fspec.startVariant', specUri);

        expect(inputs[0].title).toBe('Start a Variant of FarmOps');
        expect(inputs[0].validateInput!('north-coast')).toBe('Start with a letter, then letters, digits or underscores.');
        expect(inputs[0].validateInput!('coastal_2')).toBeUndefined();
        // A rolled-back version is no place to start from.
        expect(picks[0].items.map(i => [i.label, i.description])).toEqual([['0.3.0', 'approved baseline · adult'], ['0.2.0', 'on another branch']]);
        expect(client.sent('fspec/startVariant')).toEqual([{ uri: specUri, name: 'coastal', from: '0.2.0' }]);
        expect(fake.messages).toEqual([{ kind: 'information', text: started.message }]);
    });

    test('refuses an unsaved spec and one with no approved version; a refusal from the server is shown as an error', async () => {
        const document = fake.document(specPath, 'spec FarmOps version "0.3.0" {}');
        document.isDirty = true;
        await run('fspec.startVariant', specUri);
        expect(fake.messages).toEqual([{ kind: 'warning', text: 'Save farm-ops.fspec before starting a variant: checking out its branch may rewrite the file.' }]);
        document.isDirty = false;

        client.answers.set('fspec/lineage', () => lineage([]));
        await run('fspec.startVariant', specUri);
        expect(fake.messages[1]).toEqual({ kind: 'warning', text: 'FarmOps has no approved version in git yet: grow it and approve the growth, then start a variant from that version.' });

        // With one version there is nothing to pick.
        client.answers.set('fspec/lineage', () => lineage([recorded('0.3.0')]));
        client.answers.set('fspec/startVariant', () => Promise.reject(new Error('The variant coastal of FarmOps exists already (branch fspec/FarmOps/coastal): check it out to grow it.')));
        const errors: string[] = [];
        vi.spyOn(window, 'showErrorMessage').mockImplementation(async (text: string) => void errors.push(text));
        await run('fspec.startVariant', specUri);
        expect(picks).toEqual([]);
        expect(client.sent('fspec/startVariant')).toEqual([{ uri: specUri, name: 'coastal', from: '0.3.0' }]);
        expect(errors).toEqual(['The variant coastal of FarmOps exists already (branch fspec/FarmOps/coastal): check it out to grow it.']);
        // The name was asked only where there was a version to start from.
        expect(inputs).toHaveLength(1);
    });
});
