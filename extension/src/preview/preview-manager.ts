import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FactoryMethods } from '../../../language-server/src/protocol.js';
import { diagramModes, exportFormats, previewViewType, type DiagramMode, type ExportFormat } from '../../../webviews/src/messages.js';
import type { PreviewPanel } from './preview-panel.js';
import { activePipelineUri, activePreviewUri, isPreviewable, PreviewPanels, uriKey } from './preview-panels.js';

const modeDescriptions: Record<DiagramMode, string> = {
    flowchart: 'Pipelines and the data they read and write',
    mindmap: 'The spec graph, section by section',
    board: 'Growth: desires and morphs as kanban columns',
    lineage: 'Stages and variants with their versions'
};

/** What other parts of the extension tell the previews. */
export interface Previews {
    /** A run of the pipeline at `uri` progressed: its preview redraws the run's nodes. */
    pipelineChanged(uri: string): void;
}

/**
 * The diagram preview: its commands, the panel serializer (panels survive a reload), live
 * updates from the server's `fspec/modelChanged` (debounced from the last edit), and the editor
 * events it follows. Specs and pipeline files (`.dot`) share it; a pipeline shows its flowchart.
 */
export function registerPreview(context: vscode.ExtensionContext, client: LanguageClient, log: vscode.LogOutputChannel): Previews {
    const panels = new PreviewPanels({
        extensionUri: context.extensionUri, client, log,
        requestExport: (panel, format) => void exportDiagram(panel, log, format)
    });
    /** The preview for a command: an existing one, or a new one for the active spec or pipeline. */
    const target = (): PreviewPanel | undefined => {
        const uri = activePreviewUri();
        const panel = panels.target() ?? (uri === undefined ? undefined : panels.open(uri));
        if (!panel) {
            askForSpec();
        }
        return panel;
    };
    context.subscriptions.push(
        panels,
        vscode.commands.registerCommand('fspec.preview.openToSide', (uri?: string | vscode.Uri) => {
            const spec = uri === undefined ? activePreviewUri() : uriKey(uri);
            if (spec === undefined) {
                return askForSpec();
            }
            panels.open(spec);
        }),
        vscode.commands.registerCommand('fspec.pipeline.preview', (uri?: string | vscode.Uri) => {
            const pipeline = uri === undefined ? activePipelineUri() : uriKey(uri);
            if (pipeline === undefined) {
                return void vscode.window.showInformationMessage('Open a .dot pipeline to preview it.');
            }
            panels.open(pipeline);
        }),
        // The code lens: `[uri]` over the spec, `[uri, pipeline]` over each pipeline.
        vscode.commands.registerCommand('fspec.preview', (uri: string, pipeline?: string) => void panels.open(uri, { pipeline })),
        vscode.commands.registerCommand('fspec.preview.switchMode', async (mode?: DiagramMode) => {
            const panel = target();
            if (panel?.view.kind === 'pipeline') {
                return void vscode.window.showInformationMessage('A pipeline has one view, its flowchart.');
            }
            const chosen = panel && (mode ?? await pickMode(panel.view.mode));
            if (panel && chosen && diagramModes.includes(chosen)) {
                panel.show({ uri: panel.view.uri, mode: chosen });
            }
        }),
        vscode.commands.registerCommand('fspec.preview.export', (args?: { format?: ExportFormat; uri?: string | vscode.Uri }) => {
            const panel = target();
            return panel ? exportDiagram(panel, log, args?.format, args?.uri) : undefined;
        }),
        vscode.window.registerWebviewPanelSerializer(previewViewType, {
            deserializeWebviewPanel: async (panel, state) => panels.revive(panel, state)
        }),
        client.onNotification(FactoryMethods.modelChanged, ({ uris }) => panels.modelChanged(uris)),
        vscode.workspace.onDidChangeTextDocument(({ document, contentChanges }) => {
            if (isPreviewable(document) && contentChanges.length > 0) {
                panels.edited(document.uri);
            }
        }),
        vscode.window.onDidChangeActiveTextEditor(editor => panels.follow(editor)),
        vscode.window.onDidChangeTextEditorSelection(event => panels.cursorMoved(event.textEditor))
    );
    return { pipelineChanged: uri => panels.pipelineChanged(uri) };
}

function askForSpec(): void {
    void vscode.window.showInformationMessage('Open a .fspec file (or a .dot pipeline) to preview it.');
}

async function pickMode(current: DiagramMode | undefined): Promise<DiagramMode | undefined> {
    const items = diagramModes.map(mode => ({
        label: mode[0].toUpperCase() + mode.slice(1), description: mode === current ? '(shown)' : undefined, detail: modeDescriptions[mode], mode
    }));
    return (await vscode.window.showQuickPick(items, { title: 'Preview mode' }))?.mode;
}

/**
 * Saves the diagram on display as SVG or PNG. Without a format it asks; without a target it
 * shows a save dialog next to the spec. Resolves to the written file's uri (undefined if cancelled or failed).
 */
async function exportDiagram(panel: PreviewPanel, log: vscode.LogOutputChannel, format?: ExportFormat, target?: string | vscode.Uri): Promise<string | undefined> {
    const chosen = format ?? (await vscode.window.showQuickPick(
        exportFormats.map(f => ({ label: f.toUpperCase(), format: f })), { title: 'Export the diagram as' }
    ))?.format;
    if (!chosen || !exportFormats.includes(chosen)) {
        return undefined;
    }
    const { uri, mode, pipeline } = panel.view;
    const spec = vscode.Uri.parse(uri);
    const name = `${spec.path.split('/').pop()!.replace(/\.(fspec|dot)$/, '')}-${pipeline ?? mode}.${chosen}`;
    const file = target !== undefined ? (typeof target === 'string' ? vscode.Uri.parse(target) : target) : await vscode.window.showSaveDialog({
        // Next to the spec, unless it has no folder (an untitled spec): then VS Code's default folder.
        defaultUri: spec.scheme === 'file' ? vscode.Uri.joinPath(spec, '..', name) : undefined,
        filters: { [chosen.toUpperCase()]: [chosen] }, saveLabel: 'Export', title: 'Export diagram'
    });
    if (!file) {
        return undefined;
    }
    try {
        await vscode.workspace.fs.writeFile(file, await panel.exportImage(chosen));
        log.info(`Exported the ${pipeline ? `${pipeline} ` : ''}${mode} diagram to ${file.toString(true)}`);
        vscode.window.setStatusBarMessage(`Diagram exported to ${vscode.workspace.asRelativePath(file)}`, 5000);
        return file.toString();
    } catch (error) {
        log.error(`Export to ${file.toString(true)} failed: ${String(error)}`);
        void vscode.window.showErrorMessage(`Could not export the diagram: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
    }
}
