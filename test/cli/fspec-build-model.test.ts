import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleCopy, farmSpec, invoicesFile, unknownInvoices, workingInvoiceBody } from '../compiler/compiled-app.js';
import { startScriptedOpenAiServer, streamedToolCall, type ScriptedOpenAiServer } from '../crew/llm/scripted-openai-server.js';
import { fspecWithInput, root } from './run-fspec.js';


beforeAll(() => {
    expect(fs.existsSync(path.join(root, 'out/cli.cjs')), 'run `npm run build` first').toBe(true);
});

const endpoint = (server: ScriptedOpenAiServer) => ({
    FSPEC_CREW_BASE_URL: server.baseUrl, FSPEC_CREW_MODEL: 'toolsmith-test', FSPEC_CREW_API_KEY: 'sk-scripted', FSPEC_CREW_TIMEOUT_SECONDS: '5', FSPEC_TODAY: '2025-06-02'
});

/** The Toolsmith's answer as a streamed tool call, in pieces as a provider sends them. */
function bodyAnswer(code: string, summary: string) {
    const json = JSON.stringify({ summary, code });
    return streamedToolCall('submit_toolsmith', [json.slice(0, 15), json.slice(15, 60), json.slice(60)]);
}

describe('fspec build with a model behind an OpenAI-compatible endpoint (scripted, on 127.0.0.1)', () => {
    it('has the model write the body the Toolsmith lacks, checked by compiling and by the tests, from the bundled CLI', async () => {
        const working = await workingInvoiceBody();
        const server = await startScriptedOpenAiServer(
            bodyAnswer('return { Invoice: input.reads.Allocation.map(a => ({ total: a.nope })) };', 'Bills by guesswork'),
            bodyAnswer(working, 'Bills each reserved allocation')
        );
        try {
            const spec = exampleCopy(farmSpec, unknownInvoices);
            const run = await fspecWithInput(['build', path.basename(spec)], '', path.dirname(spec), endpoint(server));

            expect(run.code, run.stderr).toBe(0);
            expect(run.stdout).toMatch(/step contract_allocation\.invoices\s+model:openai-compatible\/toolsmith-test at http:\/\/127\.0\.0\.1:\d+\/v1: Bills each reserved allocation/);
            expect(run.stdout).toContain('7 of 7 bodies grown.');
            expect(server.requests).toHaveLength(2);
            expect(JSON.stringify(server.requests[1].body)).toContain("Property 'nope' does not exist");
            const module = fs.readFileSync(path.join(path.dirname(spec), '.factory/build/0.2.0', invoicesFile), 'utf8');
            expect(module).toContain('Body: written by the model openai-compatible/toolsmith-test');

            // The app's tests pass with it; no model is needed for that.
            const tested = await fspecWithInput(['test', path.basename(spec), '--today', '2025-06-02'], '', path.dirname(spec));
            expect(tested.stdout).toMatch(/PASS invoices_for_reserved/);
        } finally {
            await server.close();
        }
    });

    it('says why the model\'s answers were refused and leaves the step not yet grown', async () => {
        const refused = bodyAnswer('return { Invoice: [] };', 'Bills nobody');
        const server = await startScriptedOpenAiServer(refused, refused, refused);
        try {
            const spec = exampleCopy(farmSpec, unknownInvoices);
            const run = await fspecWithInput(['build', path.basename(spec)], '', path.dirname(spec), endpoint(server));

            expect(run.code, run.stderr).toBe(0);
            expect(run.stdout).toMatch(/step contract_allocation\.invoices\s+NOT YET GROWN \(throws NotYetGrown when run\)/);
            expect(run.stdout).toContain('The model\'s 3 answers for contract_allocation.invoices were refused; the last because: Acceptance test invoices_for_reserved ("Invoices generated for reserved buyers") fails');
        } finally {
            await server.close();
        }
    });
});
