// The crew as a user meets it in VS Code: saving a spec with a new desire (the immigration example
// ships with one, draft_review) opens its mutation PR, Approve applies it, and the Historian records
// it in git. Page steps press the keys and read and click the PR webview.
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { assert, lineOf, page, test, until, workspaceFile } from './harness.js';

const policy = workspaceFile('immigration-policy-impact', 'policy-impact.fspec');

function git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args],
        { cwd: workspaceFile('immigration-policy-impact').fsPath, encoding: 'utf8' });
}

test('saving a spec with a new desire opens its mutation PR; Approve applies it and commits and tags it', async () => {
    git('init', '--quiet');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'Start');
    const document = await vscode.workspace.openTextDocument(policy);
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    // A save the user makes: a small edit (a comment above the desires), then Ctrl+S.
    await editor.edit(edit => edit.insert(new vscode.Position(lineOf(document, '  desires {'), 0), '  // What the practice wants next\n'));
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await page.press('Control+s');

    // The review panel: the morphs with their risk, Safety's verdict, the new panel, and the two flowcharts.
    await page.texts('#fspec-morphs', ['add_surface', 'review_queue', 'low']);
    await page.texts('#fspec-safety', ['No identity invariant or morph rule is broken.']);
    await page.texts('#fspec-flowcharts svg g.node', ['Draft client letters', 'Attorney review']);
    await page.screenshot('mutation-pr');
    await page.click('[data-action="approve"]', 'Approve');

    await until('the grown spec saved in the editor', () => document.getText().includes('spec PolicyImpact version "1.2.0"') && !document.isDirty, 30_000);
    assert(document.getText().includes('panel review_queue "Review queue" shows ClientDraft'), `the new panel is in the spec: ${document.getText()}`);
    await until('the lineage tag', () => git('tag', '--list').includes('fspec/PolicyImpact/v1.2.0'), 30_000);
    const committed = git('show', '--name-only', '--format=%s', 'HEAD').trim().split('\n');
    assert(committed[0].startsWith('Grow PolicyImpact to 1.2.0'), `the commit says what grew: ${committed[0]}`);
    assert(committed.includes('policy-impact.fspec'), `the spec is in the commit: ${committed.join(', ')}`);
    assert(git('status', '--porcelain').trim() === '', `nothing else changed: ${git('status', '--porcelain')}`);
});
