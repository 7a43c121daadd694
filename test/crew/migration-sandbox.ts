import * as fs from 'node:fs';
import * as path from 'node:path';
import { fauxAssistantMessage, fauxToolCall, type FauxProviderRegistration } from '@mariozechner/pi-ai';
import type { MorphProposal } from '../../language-server/src/crew/contracts.js';
import { runGrowth } from '../../language-server/src/crew/growth-run.js';
import type { MutationPr } from '../../language-server/src/crew/mutation-pr.js';
import { atomicWrite } from '../../language-server/src/lineage/atomic-write.js';
import { Sandbox } from '../lineage/git-sandbox.js';
import { testLlm } from './llm/llm-test-helpers.js';
import { farmFile, realizedExample, services } from './example-specs.js';

/** A desire only a model can plan; the faux model answers with the proposals a test gives it. */
const regionsDesire = '    desire delivery_regions {\n      goal "Know which delivery region each contract is in"\n    }\n';

/**
 * The farmer example (spec as its last growth left it, approved copy, stored records) committed in a
 * fresh repository and tagged as the Historian tags an approved version: FarmOps 0.2.0. Its
 * data-contracts plate also accepts renamed and retyped fields, so growths may migrate records every way.
 */
export function farmAt020(): Sandbox {
    const sandbox = new Sandbox();
    fs.cpSync(path.dirname(farmFile), sandbox.folder, { recursive: true });
    const spec = sandbox.path('farm-ops.fspec');
    fs.writeFileSync(spec, realizedExample(farmFile)
        .replace('accepts add_entity, add_field', 'accepts add_entity, add_field, rename_field, change_field_type')
        .replace('    rule add_field risk low\n', '    rule add_field risk low\n    rule rename_field risk medium\n    rule change_field_type risk medium\n'));
    sandbox.git('init', '--quiet', '--initial-branch=main');
    sandbox.git('add', '--all');
    sandbox.git('commit', '--quiet', '-m', 'Start');
    sandbox.git('tag', '--annotate', '-m', 'Approve 0.2.0', 'fspec/FarmOps/v0.2.0');
    return sandbox;
}

/** Every file of the sandbox's working tree outside .git, the run folders and the .factory/.gitignore that keeps them out of git, with its text. */
export function workingTree(sandbox: Sandbox): Record<string, string> {
    const files = fs.readdirSync(sandbox.folder, { recursive: true, encoding: 'utf8' })
        .filter(file => !file.startsWith('.git') && !file.startsWith(path.join('.factory', 'runs')) && file !== path.join('.factory', '.gitignore')
            && fs.statSync(sandbox.path(file)).isFile())
        .sort();
    return Object.fromEntries(files.map(file => [file.split(path.sep).join('/'), fs.readFileSync(sandbox.path(file), 'utf8')]));
}

/**
 * Grows the sandbox's FarmOps from a new free-text desire through the whole crew, the Planner's
 * contract filled by the faux model with `morphs`, and the mutation PR approved; `deploy` writes
 * the grown spec (atomically, unless a test breaks it).
 */
export async function growWith(faux: FauxProviderRegistration, sandbox: Sandbox, morphs: MorphProposal[], deploy = atomicWrite) {
    const spec = sandbox.path('farm-ops.fspec');
    const text = fs.readFileSync(spec, 'utf8').replace('  desires {\n', `  desires {\n${regionsDesire}`);
    fs.writeFileSync(spec, text);
    faux.setResponses([fauxAssistantMessage(fauxToolCall('submit_planner', { morphs, tests: [] }), { stopReason: 'toolUse' })]);
    const reviewed: MutationPr[] = [];
    const result = await runGrowth(services, {
        specPath: spec, text, llm: testLlm(faux.getModel(), 'faux/planner'),
        review: async pr => { reviewed.push(pr); return { decision: 'approve' }; },
        deploy
    });
    return { result, reviewed, text };
}
