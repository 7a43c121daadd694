import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactoryMethods, type DeployResult, type GrowthResult } from '../../language-server/src/protocol.js';
import { exampleRepository } from '../crew/example-repository.js';
import { CrewClient } from './crew-client.js';

/**
 * `fspec/deployVersion` over stdio from the bundled server, after a growth approved through the
 * editor: a real git repository holding the farmer example, the app tested in the local sandbox.
 */
const marketDesire = '    desire market_prices "Price by the market" {\n      trusted_source market_feed\n    }\n';

let client: CrewClient;

beforeAll(async () => {
    client = await CrewClient.start();
});

afterAll(() => client.stop());

describe('deploying the approved version over LSP', () => {
    it('deploys the approved version the crew could not deploy, once its records are fixed; a second deploy is refused', async () => {
        const { sandbox, file } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', marketDesire);
        const uri = client.open(file);
        const review: GrowthResult = await client.connection.sendRequest(FactoryMethods.simulate.method, { uri });
        expect(review.status).toBe('awaiting-review');

        // During the review a half-written export lands in the stored records: the approved app cannot run on them.
        const sprays = sandbox.path('records/SprayEvent.json');
        const good = fs.readFileSync(sprays, 'utf8');
        fs.writeFileSync(sprays, '{}');
        const grown: GrowthResult = await client.connection.sendRequest(FactoryMethods.deploy.method, { runId: review.runId, decision: 'approve' });
        expect(grown).toMatchObject({ status: 'grown', tag: 'fspec/FarmOps/v0.3.0', deployment: { status: 'failed', version: '0.3.0' } });
        expect(grown.deployment?.reason).toContain('records/SprayEvent.json is not a JSON array of SprayEvent records');
        expect(grown.message).toMatch(/; not deployed: .*SprayEvent\.json is not a JSON array of SprayEvent records, nothing is deployed\.$/);
        expect(sandbox.git('tag', '--list', 'fspec/FarmOps/deployed/*').trim()).toBe('');

        // The records fixed, the approved version deploys: the same JSON as `fspec deploy --json`.
        fs.writeFileSync(sprays, good);
        const deployed = await client.connection.sendRequest(FactoryMethods.deployVersion.method, { uri, today: '2025-06-02' }) as DeployResult;
        expect(deployed).toMatchObject({
            status: 'deployed', spec: 'FarmOps', version: '0.3.0', tag: 'fspec/FarmOps/deployed/v0.3.0',
            message: 'FarmOps 0.3.0 is deployed: 3 acceptance tests passed in the local sandbox on 2025-06-02; tag fspec/FarmOps/deployed/v0.3.0.',
            report: { ok: true, today: '2025-06-02', summary: { tests: 3, passed: 3, failed: 0, notGrown: 0 } }
        });
        expect(sandbox.git('rev-list', '-n', '1', 'fspec/FarmOps/deployed/v0.3.0').trim()).toBe(grown.commit);

        const again = await client.connection.sendRequest(FactoryMethods.deployVersion.method, { uri }) as DeployResult;
        expect(again).toEqual({
            status: 'refused', spec: 'FarmOps', version: '0.3.0', previous: '0.3.0',
            message: 'FarmOps 0.3.0 is deployed already (tag fspec/FarmOps/deployed/v0.3.0).'
        });
    });

    it('answers null for a document the server does not have, and refuses a malformed date', async () => {
        const { file } = exampleRepository('farmer-contract-allocation', 'farm-ops.fspec', '');
        expect(await client.connection.sendRequest(FactoryMethods.deployVersion.method, { uri: `file://${file}.missing` })).toBeNull();
        const uri = client.open(file);
        await expect(client.connection.sendRequest(FactoryMethods.deployVersion.method, { uri, today: 'tuesday' })).rejects.toThrow('today "tuesday": give a date as YYYY-MM-DD.');
        const refused = await client.connection.sendRequest(FactoryMethods.deployVersion.method, { uri }) as DeployResult;
        expect(refused).toEqual({ status: 'refused', spec: 'FarmOps', message: 'FarmOps has no approved version in git yet: grow it and approve the growth, then deploy.' });
    });
});
