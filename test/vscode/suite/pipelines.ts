// Attractor pipelines (.dot) as a user meets them in VS Code: problems as typed, the pipeline's
// flowchart in the preview, and a run whose human gate is asked in a quick pick.
import * as vscode from 'vscode';
import type { PipelineRunInfo } from '../../../language-server/src/protocol.js';
import reviewText from '../../crew/engine/fixtures/release-review.dot';
import { assert, page, test, until, workspaceFile } from './harness.js';

/** A crew pipeline with a condition cut short, written into the workspace the suite opened. */
const crew = workspaceFile('pipeline-scratch', '.factory', 'crew.dot');
const crewText = `digraph crew {
    graph [goal="Grow the spec", label="Scratch crew"]
    start   [shape=Mdiamond]
    plan    [type="crew.plan", role="Planner", label="Propose morphs"]
    review  [shape=hexagon, label="Review the mutation PR"]
    done    [shape=Msquare]
    start -> plan
    plan -> review [condition="outcome=success &&"]
    review -> done [label="[A] Approve"]
}
`;
const review = workspaceFile('pipeline-scratch', 'review.dot');
const conditionError = 'invalid condition "outcome=success &&": empty clause around &&';

async function write(uri: vscode.Uri, text: string): Promise<vscode.TextEditor> {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
}

test('a .factory/crew.dot with an error shows it in the Problems panel, located, with its rule', async () => {
    const editor = await write(crew, crewText);
    assert(editor.document.languageId === 'attractor-dot', `.dot files are Attractor pipelines, not ${editor.document.languageId}`);
    const commands = await vscode.commands.getCommands(true);
    assert(['fspec.pipeline.preview', 'fspec.pipeline.run'].every(c => commands.includes(c)), 'the pipeline commands are registered');
    const error = await until('the condition error on crew.dot', () => vscode.languages.getDiagnostics(crew).find(d => d.message === conditionError));
    assert(error.code === 'condition_syntax' && error.source === 'attractor', `the rule is the code: ${String(error.code)} from ${error.source}`);
    assert(editor.document.getText(error.range) === '"outcome=success &&"', `the error is on the condition: ${editor.document.getText(error.range)}`);
    await page.press('Control+Shift+M');
    await page.texts('.markers-panel .monaco-list-row', [conditionError]);
});

test('completion after shape= offers the shapes, with the handler each selects', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(crew), vscode.ViewColumn.One);
    const line = editor.document.lineAt(5);
    await editor.edit(edit => edit.insert(line.range.end, '\n    audit [shape='));
    const end = editor.document.lineAt(6).range.end;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', crew, end);
    const labels = list.items.map(item => (typeof item.label === 'string' ? item.label : item.label.label));
    assert(['Mdiamond', 'hexagon', 'parallelogram'].every(shape => labels.includes(shape)), `the shapes are offered: ${labels.join(', ')}`);
    await vscode.commands.executeCommand('undo');
    assert(editor.document.getText() === crewText, 'undo restores the pipeline');
});

test('Open Pipeline Preview draws the pipeline as an SVG with its node labels', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(crew), vscode.ViewColumn.One);
    await vscode.commands.executeCommand('fspec.pipeline.preview');
    // Node ids only this pipeline has, so the page driver reads its webview and not another preview's.
    await page.texts('svg [data-fspec-node="plan"], svg [data-fspec-node="review"], svg [data-fspec-node="done"]', ['Propose morphs', 'Planner', 'Review the mutation PR', 'done']);
    await page.screenshot('pipeline-preview');
});

test('Run Pipeline asks the human gate in a quick pick and goes along the answer; the preview marks the nodes run', async () => {
    await write(review, reviewText);
    await vscode.commands.executeCommand('fspec.pipeline.preview');
    await page.texts('svg [data-fspec-node="gate"]', ['Ship it?']);
    const running = vscode.commands.executeCommand<PipelineRunInfo | undefined>('fspec.pipeline.run', review, { simulate: true });
    // The default option comes first: Enter takes it.
    const rows = await page.texts('.quick-input-widget .monaco-list-row', ['[R] Rework', '[S] Ship']);
    if (rows !== undefined) {
        await page.press('Enter');
    } else {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const result = await running;
    assert(result?.status === 'success', `the run succeeded: ${result?.message}`);
    assert(result.completed.join(' ') === 'start draft gate rework done', `it went along the default answer: ${result.completed.join(' → ')}`);
    await page.texts('svg g.completed[data-fspec-node="rework"], svg g.completed[data-fspec-node="gate"]', ['rework', 'Ship it?']);
});
