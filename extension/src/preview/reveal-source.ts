import * as vscode from 'vscode';
import type { RenderResult } from '../../../language-server/src/protocol.js';

type SourceRange = RenderResult['diagram']['nodeRanges'][string];

/** Selects a range of a spec in its editor, opening the spec in the first column when no editor shows it. */
export async function revealSource(uri: string, range: SourceRange): Promise<void> {
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    const visible = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === uri);
    const document = visible?.document ?? await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
