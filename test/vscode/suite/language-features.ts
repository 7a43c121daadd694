// The language server as a VS Code user meets it: problems, completion, a grow quick fix, restart.
import * as vscode from 'vscode';
import { assert, errorsOf, page, test, until, workspaceFile } from './harness.js';

const scratchText = `spec Scratch version "0.1.0" {
  identity {
    purpose "Try the editor"
    beneficiary Users "Who it serves"
  }
  data_contracts {
    entity Contract {
      qty: int
    }
  }
  workflows {
    pipeline intake {
      gate check enforces consent
      step count reads Contract
    }
  }
}
`;
const scratch = workspaceFile('scratch.fspec');

async function openScratch(): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(scratch);
    return vscode.window.showTextDocument(document, vscode.ViewColumn.One);
}

test('the extension activates on a .fspec file and its commands are there', async () => {
    await vscode.workspace.fs.writeFile(scratch, new TextEncoder().encode(scratchText));
    await openScratch();
    const extension = vscode.extensions.getExtension('factory.factory-fspec');
    assert(extension, 'the installed factory.factory-fspec extension is found');
    await extension.activate();
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['fspec.preview.openToSide', 'fspec.preview.switchMode', 'fspec.preview.export', 'fspec.restartServer', 'fspec.showOutput', 'fspec.preview']) {
        assert(commands.includes(command), `command ${command} is registered`);
    }
});

test('an unknown guardrail shows in the Problems panel', async () => {
    const errors = await until('the linking error on scratch.fspec', () => errorsOf(scratch).length > 0 && errorsOf(scratch));
    assert(errors[0].message === "Unknown guardrail 'consent'.", `the error says which guardrail: ${errors[0].message}`);
    assert(errors[0].range.start.line === 12, `the error is on line 13, not ${errors[0].range.start.line + 1}`);
    await page.press('Control+Shift+M');
    await page.texts('.markers-panel .monaco-list-row', ["Unknown guardrail 'consent'."]);
});

test('completion after `reads` offers the entities', async () => {
    const editor = await openScratch();
    const line = editor.document.lineAt(13);
    await editor.edit(edit => edit.insert(line.range.end, '\n      step tally reads '));
    const end = editor.document.lineAt(14).range.end;
    editor.selection = new vscode.Selection(end, end);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', scratch, end);
    const labels = list.items.map(item => (typeof item.label === 'string' ? item.label : item.label.label));
    assert(labels.includes('Contract'), `completion items include Contract: ${labels.slice(0, 20).join(', ')}`);
    // And in the editor's own suggest widget, as the user sees it.
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await page.press('Control+Space');
    await page.texts('.suggest-widget .monaco-list-row', ['Contract']);
    await page.press('Escape');
    await vscode.commands.executeCommand('undo');
    assert(editor.document.getText() === scratchText, 'undo restores the scratch spec');
});

test('the grow quick fix adds the missing guardrail and the error goes away', async () => {
    // Diagnostics lag the text: wait for the ones of the restored text.
    const error = await until('the linking error', () => errorsOf(scratch).find(e => e.message === "Unknown guardrail 'consent'."));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', scratch, error.range, vscode.CodeActionKind.QuickFix.value);
    const grow = actions.find(action => action.title === "Add guardrail 'consent'");
    assert(grow?.edit, `a grow fix "Add guardrail 'consent'" among ${actions.map(a => a.title).join(' | ')}`);
    assert(await vscode.workspace.applyEdit(grow.edit), 'the edit applies');
    const document = await vscode.workspace.openTextDocument(scratch);
    assert(/safety \{\s+guardrail consent "/.test(document.getText()), `a safety section with guardrail consent was added:\n${document.getText()}`);
    await until('the errors to clear', () => errorsOf(scratch).length === 0);
    await document.save();
});

test('Restart Language Server brings diagnostics back', async () => {
    await vscode.commands.executeCommand('fspec.restartServer');
    const editor = await openScratch();
    const word = editor.document.getWordRangeAtPosition(new vscode.Position(12, 27))!;
    await editor.edit(edit => edit.replace(word, 'consent_missing'));
    await until('a diagnostic from the restarted server', () => errorsOf(scratch).some(e => e.message === "Unknown guardrail 'consent_missing'."));
    await editor.edit(edit => edit.replace(new vscode.Range(word.start, word.start.translate(0, 'consent_missing'.length)), 'consent'));
    await until('the errors to clear again', () => errorsOf(scratch).length === 0);
});
