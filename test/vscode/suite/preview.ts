// The live preview as a user meets it: rendered SVG, click to source, cursor to node, modes, live
// edits, the error banner and export. Page steps read and click the real webview DOM.
import * as vscode from 'vscode';
import { assert, lineOf, page, test, until, workspaceFile } from './harness.js';

const farm = workspaceFile('farmer-contract-allocation', 'farm-ops.fspec');
const node = '[data-fspec-node]';

async function openFarm(): Promise<vscode.TextEditor> {
    return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(farm), vscode.ViewColumn.One);
}

test('Open Preview to the Side renders the pipelines as an SVG with their step labels', async () => {
    await openFarm();
    await vscode.commands.executeCommand('fspec.preview.openToSide');
    await page.texts(`svg ${node}`, ['Yield forecast', 'PHI gate', 'Allocate to contracts', 'Invoices', 'Contract']);
    // The README's screenshot: editor and preview side by side, nothing else.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await page.click('[data-action="zoom-fit"]');
    await page.screenshot('preview-beside-editor');
});

test('clicking a diagram node selects its source in the editor', async () => {
    await page.click(node, 'PHI gate');
    const editor = await until('the farm spec editor', () => vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === farm.toString()));
    const gateLine = lineOf(editor.document, 'gate phi_gate');
    await until(`the selection on line ${gateLine + 1}`, () => editor.selection.start.line === gateLine && !editor.selection.isEmpty);
    assert(editor.document.getText(editor.selection).startsWith('gate phi_gate'), `the gate is selected: ${editor.document.getText(editor.selection)}`);
});

test('moving the cursor in the editor highlights its node', async () => {
    const editor = await openFarm();
    const line = lineOf(editor.document, 'step surplus');
    editor.selection = new vscode.Selection(line, 12, line, 12);
    await page.texts('.fspec-highlight', ['Surplus allocator']);
});

test('the mode buttons switch to the mindmap, and the command to the board', async () => {
    await page.click('[data-mode="mindmap"]');
    await page.texts(`svg ${node}`, ['Identity', 'Growth plates', 'Morph rules']);
    await vscode.commands.executeCommand('fspec.preview.switchMode', 'board');
    await page.texts(`svg ${node}`, ['insert_gate']);
    await vscode.commands.executeCommand('fspec.preview.switchMode', 'flowchart');
    await page.texts(`svg ${node}`, ['PHI gate']);
});

test('an edit shows up in the preview; while the spec has errors the last diagram stays under a banner', async () => {
    const editor = await openFarm();
    const line = lineOf(editor.document, 'step route_plan');
    await editor.edit(edit => edit.insert(new vscode.Position(line, 0), '      step quality_check "Quality check"\n'));
    await page.texts(`svg ${node}`, ['Quality check']);
    await editor.edit(edit => edit.insert(new vscode.Position(line, 0), '      step broken reads NoSuchEntity\n'));
    await page.texts('#fspec-banner', ['error']);
    await page.texts(`svg ${node}`, ['Quality check', 'PHI gate']);
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('undo');
});

test('the preview follows the active .fspec editor', async () => {
    const policy = workspaceFile('immigration-policy-impact', 'policy-impact.fspec');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(policy), vscode.ViewColumn.One);
    await page.texts(`svg ${node}`, ['Ingest updates', 'Match updates to cases']);
    await openFarm();
    await page.texts(`svg ${node}`, ['PHI gate']);
});

test('switching VS Code to a dark theme redraws the diagram in dark colours', async () => {
    const fills = () => page.computedStyle('[data-fspec-node] .label-container, [data-fspec-node] rect', 'fill');
    await page.texts(`svg ${node}`, ['PHI gate']);
    const light = await fills();
    if (light === undefined) return; // no page driver (desktop runner): nothing to compare
    const workbench = vscode.workspace.getConfiguration('workbench');
    await workbench.update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    try {
        await until('the diagram in dark colours', async () => {
            const dark = await fills();
            return dark !== undefined && light !== undefined && dark.length > 0 && dark.join() !== light.join();
        });
    } finally {
        await workbench.update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    }
});

test('Export Diagram writes a standalone SVG and a PNG', async () => {
    await openFarm();
    await vscode.commands.executeCommand('fspec.preview.openToSide');
    const svgFile = workspaceFile('farm-ops.svg');
    await vscode.commands.executeCommand('fspec.preview.export', { format: 'svg', uri: svgFile.toString() });
    const svg = new TextDecoder().decode(await until('the exported SVG', () => vscode.workspace.fs.readFile(svgFile).then(b => b, () => undefined)));
    assert(svg.includes('<svg') && svg.includes('xmlns="http://www.w3.org/2000/svg"'), `a standalone SVG: ${svg.slice(0, 200)}`);
    assert(svg.includes('PHI gate') && svg.includes('Allocate to contracts'), 'the SVG has the diagram labels');
    const pngFile = workspaceFile('farm-ops.png');
    await vscode.commands.executeCommand('fspec.preview.export', { format: 'png', uri: pngFile.toString() });
    const png = await until('the exported PNG', () => vscode.workspace.fs.readFile(pngFile).then(b => b, () => undefined));
    assert([0x89, 0x50, 0x4e, 0x47].every((byte, i) => png[i] === byte), 'the file is a PNG');
    const width = new DataView(png.buffer, png.byteOffset).getUint32(16);
    assert(width > 200, `the PNG is a real image (${width} px wide)`);
});
