// VS Code for the web saves while the user types (files.autoSave). Those saves must not start the
// crew; and a notice about the spec's errors closes once the errors are gone.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { assert, errorsOf, lineOf, page, test, until, workspaceFile } from './harness.js';

const farm = workspaceFile('farmer-contract-allocation', 'farm-ops.fspec');
const runs = workspaceFile('farmer-contract-allocation', '.factory', 'runs');
// Every notification, shown as a toast or not (toasts do not show in this headless window): the notification center's list.
const notifications = '.notifications-center .notification-list-item-message';

const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function setAutoSave(value: 'afterDelay' | 'off'): Promise<void> {
    const files = vscode.workspace.getConfiguration('files');
    await files.update('autoSaveDelay', 100, vscode.ConfigurationTarget.Global);
    await files.update('autoSave', value, vscode.ConfigurationTarget.Global);
}

test('with auto save on, typing and undoing save the spec but start no growth and leave no notification', async () => {
    await setAutoSave('afterDelay');
    try {
        const document = await vscode.workspace.openTextDocument(farm);
        const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
        const saved = document.getText();
        // The cursor inside the purpose's text; a real key press, as a user types.
        const line = lineOf(document, 'purpose "');
        const column = document.lineAt(line).text.indexOf('purpose "') + 'purpose "'.length;
        editor.selection = new vscode.Selection(line, column, line, column);
        await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
        await page.press('x');
        await until('the typed character saved by auto save', () => !document.isDirty && fs.readFileSync(farm.fsPath, 'utf8') !== saved, 10_000);
        await page.press('Control+z');
        await until('the undo saved by auto save', () => !document.isDirty && fs.readFileSync(farm.fsPath, 'utf8') === saved, 10_000);
        // Time for a growth to have started, had a save started one.
        await pause(3000);
        assert(!fs.existsSync(runs.fsPath), 'no crew run folder: no growth started');
        await vscode.commands.executeCommand('notifications.showList');
        // VS Code's own (the git extension's offer to open the repository above the workspace) are not the crew's.
        const shown = (await page.textsNow(notifications) ?? []).filter(text => /grow|farm|fspec/i.test(text));
        await vscode.commands.executeCommand('notifications.hideList');
        assert(shown.length === 0, `no notification about the spec: ${JSON.stringify(shown)}`);
    } finally {
        await setAutoSave('off');
    }
});

test("Grow Spec on a spec with an error says so in a notice that closes once the error is fixed", async () => {
    const document = await vscode.workspace.openTextDocument(farm);
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const line = lineOf(document, 'enforces no_phi_harvest');
    const end = document.lineAt(line).range.end;
    await editor.edit(edit => edit.insert(end, ', no_such_guardrail'));
    await until('the error in the Problems', () => errorsOf(farm).length > 0);
    await vscode.commands.executeCommand('fspec.grow');
    await vscode.commands.executeCommand('notifications.showList');
    await page.texts(notifications, ['fix it before growing']);
    await vscode.commands.executeCommand('undo');
    await until('the error gone', () => errorsOf(farm).length === 0);
    await until('the notice closed', async () => (await page.textsNow(notifications) ?? []).every(text => !text.includes('fix it before growing')), 10_000);
    await vscode.commands.executeCommand('notifications.hideList');
});
