import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { describe, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { buildCommand } from '../../language-server/src/cli/build.js';
import { validateCommand } from '../../language-server/src/cli/commands.js';
import { DriftDetector } from '../../language-server/src/compiler/drift.js';
import { readManifest } from '../../language-server/src/compiler/write-build.js';
import { sha256, withoutBodies } from '../../language-server/src/compiler/regions.js';
import { specsDependingOn } from '../../language-server/src/language/fspec-document-update-handler.js';
import { exampleCopy, farmSpec, specGraph } from '../compiler/compiled-app.js';
import { allocateFile, allocateSignature, bodyLine, DriftProject, editedBodyLine, editedSignature } from './drift-project.js';

const driftMessage = '.factory/build/0.2.0/src/pipelines/contract_allocation/allocate.ts was edited outside its marked body '
    + '(generated code drifted from the spec): re-converge or propose the edit as a morph.';

describe('drift of a built app', () => {
    test('a fresh build has no drift', async () => {
        const project = await DriftProject.create();
        expect(await project.drift()).toEqual([]);
    });

    test('a step module edited outside its markers drifts, reported on the step', async () => {
        const project = await DriftProject.create();
        project.edit(allocateFile, allocateSignature, editedSignature);
        const [drift, ...more] = await project.drift();
        expect(more).toEqual([]);
        expect(drift).toMatchObject({
            severity: 2, code: 'drift', message: driftMessage,
            data: { code: 'drift', file: allocateFile, change: 'edited', out: project.out }
        });
        const line = project.lineOf('step allocate');
        expect(drift.range.start).toEqual({ line, character: fs.readFileSync(project.spec, 'utf8').split('\n')[line].indexOf('allocate') });
        expect(drift.relatedInformation?.[0].location.uri).toBe(URI.file(project.file(allocateFile)).toString());
    });

    test('an edit inside the markers is no drift', async () => {
        const project = await DriftProject.create();
        project.edit(allocateFile, bodyLine, editedBodyLine);
        expect(await project.drift()).toEqual([]);
    });

    test('a deleted file drifts', async () => {
        const project = await DriftProject.create();
        fs.rmSync(project.file('src/pipelines/contract_allocation/phi_gate.ts'));
        const drift = await project.drift();
        expect(drift.map(d => [d.message, d.range.start.line])).toEqual([[
            '.factory/build/0.2.0/src/pipelines/contract_allocation/phi_gate.ts was deleted (generated code drifted from the spec): re-converge or propose the deletion as a morph.',
            project.lineOf('gate phi_gate')
        ]]);
    });

    test('each file is reported on the element that owns it: entity, pipeline, spec', async () => {
        const project = await DriftProject.create();
        project.edit('schemas/Contract.schema.json', '"additionalProperties": false', '"additionalProperties": true');
        project.edit('src/types.ts', '    priority: number;', '    priority: number;\n    notes?: string;');
        project.edit('src/pipelines/contract_allocation.ts', 'name: "contract_allocation"', 'name: "contract_allocation_v2"');
        project.edit('src/runtime/store.ts', 'export', '// tuned by hand\nexport');
        const drift = await project.drift();
        const at = (d: Diagnostic) => [d.data && (d.data as { file: string }).file, d.range.start.line];
        expect(drift.map(at).sort()).toEqual([
            ['schemas/Contract.schema.json', project.lineOf('entity Contract')],
            ['src/pipelines/contract_allocation.ts', project.lineOf('pipeline contract_allocation')],
            ['src/runtime/store.ts', project.lineOf('spec FarmOps')],
            ['src/types.ts', project.lineOf('entity Contract')]
        ].sort());
        expect(drift.find(d => (d.data as { file: string }).file === 'src/runtime/store.ts')!.message).toContain('was edited by hand (generated code drifted');
    });

    test('files the manifest does not list (data/, a helper a body imports) are not drift', async () => {
        const project = await DriftProject.create();
        fs.mkdirSync(project.file('data'), { recursive: true });
        fs.writeFileSync(project.file('data/Allocation.json'), '[]');
        fs.writeFileSync(project.file('src/pipelines/contract_allocation/helpers.ts'), 'export const limit = 3;\n');
        expect(await project.drift()).toEqual([]);
    });

    test('a validation over an unchanged build reads no file; a changed file is read again, alone', async () => {
        const project = await DriftProject.create();
        const detector = project.services.model.BuildDrift;
        await project.drift();
        const first = detector.reads;
        // The manifest and every file it lists.
        expect(first).toBe(project.build.manifest.files.length + 1);
        await project.drift();
        await project.drift();
        expect(detector.reads).toBe(first);
        project.edit(allocateFile, allocateSignature, editedSignature);
        expect(await project.drift()).toHaveLength(1);
        expect(detector.reads).toBe(first + 1);
        expect(await project.drift()).toHaveLength(1);
        expect(detector.reads).toBe(first + 1);
    });

    test('without a build folder nothing is read', async () => {
        const spec = exampleCopy(farmSpec);
        const detector = new DriftDetector();
        expect(detector.check(spec, await specGraph(spec))).toBeUndefined();
        expect(detector.reads).toBe(0);
    });

    test('only the build of the spec\'s current version is checked', async () => {
        const project = await DriftProject.create();
        project.edit(allocateFile, allocateSignature, editedSignature);
        fs.writeFileSync(project.spec, fs.readFileSync(project.spec, 'utf8').replace('version "0.2.0"', 'version "0.3.0"'));
        expect(await project.drift()).toEqual([]);
    });
});

describe('quick fixes of drift', () => {
    async function actionsFor(project: DriftProject): Promise<{ actions: CodeAction[], uri: string, text: string }> {
        const document = await project.validate();
        const diagnostics = (document.diagnostics ?? []).filter(d => d.code === 'drift');
        expect(diagnostics).toHaveLength(1);
        const uri = document.textDocument.uri;
        const actions = await project.services.lsp.CodeActionProvider!.getCodeActions(document, {
            textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics }
        }) as CodeAction[];
        return { actions, uri, text: document.textDocument.getText() };
    }

    test('re-converge runs the server\'s command on the spec', async () => {
        const project = await DriftProject.create();
        project.edit(allocateFile, allocateSignature, editedSignature);
        const { actions, uri } = await actionsFor(project);
        expect(actions[0]).toMatchObject({
            title: `Re-converge: regenerate ${allocateFile} from the spec`, kind: 'quickfix', isPreferred: true,
            command: { command: 'fspec.drift.reconverge', arguments: [uri] }
        });
    });

    test('propose as morph adds a desire describing the edit, and the spec stays valid', async () => {
        const project = await DriftProject.create();
        project.edit(allocateFile, allocateSignature, editedSignature);
        const { actions, uri, text } = await actionsFor(project);
        const propose = actions.find(a => a.title === "Propose as morph: add desire 'keep_allocate_edit' describing the edit")!;
        expect(propose).toBeDefined();
        const [edit] = propose.edit!.changes![uri];
        // At the end of the desires section, before its closing brace.
        expect(edit.range.start.line).toBe(project.lineOf('preference "Fewest stops first"') + 2);
        expect(edit.newText.split('\n')).toEqual([
            `    /** Drift: ${allocateFile} was edited by hand, outside its marked body.`,
            `     *   - ${allocateSignature}`,
            `     *   + ${editedSignature}`,
            '     */',
            `    desire keep_allocate_edit "Keep the hand edit to ${allocateFile}" {`,
            `      goal "In ${allocateFile}, outside its marked body: '…ctx: rt.StepContext): AllocateOutput {' `
            + `became '…ctx: rt.StepContext, limit = 3): AllocateOutput {' (1 line removed, 1 added)"`,
            '    }',
            ''
        ]);
        const after = TextDocument.applyEdits(TextDocument.create(uri, 'fspec', 1, text), [edit]);
        // The grown spec is valid: the desire is a new, ungoverned element, and the drift is still there until a rebuild.
        fs.writeFileSync(project.spec, after);
        const document = await project.validate();
        expect((document.diagnostics ?? []).filter(d => d.severity === 1)).toEqual([]);
        expect(document.parseResult.value.sections.flatMap(s => 'desires' in s ? s.desires : []).map(d => d.name)).toContain('keep_allocate_edit');
    });

    test('a spec with errors is not offered re-converge (it would not build), only the proposal', async () => {
        const project = await DriftProject.create();
        project.edit(allocateFile, allocateSignature, editedSignature);
        fs.writeFileSync(project.spec, fs.readFileSync(project.spec, 'utf8').replace('reads Contract, Forecast output Allocation', 'reads Contrakt, Forecast output Allocation'));
        const { actions } = await actionsFor(project);
        expect(actions.map(a => a.title)).toEqual(["Propose as morph: add desire 'keep_allocate_edit' describing the edit"]);
    });

    test('a deleted file is proposed as a desire to do without it', async () => {
        const project = await DriftProject.create();
        fs.rmSync(project.file('schemas/Block.schema.json'));
        const { actions, uri, text } = await actionsFor(project);
        const propose = actions.find(a => a.title.startsWith('Propose as morph'))!;
        const after = TextDocument.applyEdits(TextDocument.create(uri, 'fspec', 1, text), propose.edit!.changes![uri]);
        expect(after).toContain('    desire keep_block_schema_edit "Keep schemas/Block.schema.json deleted" {\n'
            + '      goal "Do without schemas/Block.schema.json, which was deleted from the generated app by hand"\n    }');
    });
});

describe('the CLI', () => {
    test('fspec validate reports drift as a warning; fspec build re-converges it and keeps edited bodies', async () => {
        const project = await DriftProject.create();
        project.edit(allocateFile, allocateSignature, editedSignature);
        project.edit(allocateFile, bodyLine, editedBodyLine);
        const validated = await validateCommand(project.services, [project.spec], {});
        expect(validated.exitCode).toBe(0);
        expect(validated.stdout).toContain(`warning drift ${driftMessage}`);
        const built = await buildCommand(project.services, project.spec, {});
        expect(built.stdout.split('\n')[1]).toBe(`Re-converged 1 drifted file: ${allocateFile} (edited by hand).`);
        const text = fs.readFileSync(project.file(allocateFile), 'utf8');
        expect(text).toContain(allocateSignature);
        expect(text).toContain(editedBodyLine);
        const listed = readManifest(project.out)!.files.find(f => f.path === allocateFile)!;
        expect(sha256(withoutBodies(text))).toBe(listed.sha256);
        expect(await project.drift()).toEqual([]);
    });
});

describe('watched files', () => {
    test('a change in a build or approved folder revalidates the specs it belongs to, not the app\'s data', () => {
        const specs = ['/p/farm.fspec', '/p/sub/other.fspec', '/q/x.fspec'].map(p => URI.file(p));
        const changed = (...paths: string[]) => specsDependingOn(paths.map(p => URI.file(p)), specs).map(u => URI.parse(u).path);
        expect(changed('/p/.factory/build/0.2.0/src/types.ts')).toEqual(['/p/farm.fspec']);
        expect(changed('/p/.factory/build/0.2.0')).toEqual(['/p/farm.fspec']);
        expect(changed('/p/.factory/build/0.2.0/data/Allocation.json')).toEqual([]);
        expect(changed('/p/.factory/approved/Farm.fspec')).toEqual(['/p/farm.fspec', '/p/sub/other.fspec']);
        expect(changed('/p/src/notes.md', '/p/.factory/runs/x.json')).toEqual([]);
        expect(changed(path.join('/q', '.factory'))).toEqual(['/q/x.fspec']);
    });
});
