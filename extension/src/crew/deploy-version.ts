import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { formatAcceptanceReport } from '../../../language-server/src/compiler/tester/report.js';
import { FactoryMethods, type AcceptanceReport } from '../../../language-server/src/protocol.js';
import { uriKey } from '../preview/preview-panels.js';

const showReport = 'Show Test Report';

/**
 * `fspec.deployVersion`: the Deployer on the spec's approved version (`fspec/deployVersion`) under a
 * progress notification: deployed is told, a failed or refused deploy is a warning with the reason
 * (the version deployed before stays deployed), and the acceptance report that decided it opens on
 * request. The spec must be saved: what deploys is the approved version in git, read from disk.
 */
export async function deployVersion(client: LanguageClient, uri: string): Promise<void> {
    const document = vscode.workspace.textDocuments.find(d => uriKey(d.uri) === uri);
    const file = vscode.Uri.parse(uri).path.split('/').pop();
    if (document?.isDirty) {
        void vscode.window.showWarningMessage(`Save ${file} before deploying: the Deployer deploys its approved version as recorded in git, not unsaved edits.`);
        return;
    }
    let result;
    try {
        result = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `Deploying the approved version of ${file}: build, acceptance tests, deployed mark`, cancellable: false },
            () => client.sendRequest(FactoryMethods.deployVersion, { uri })
        );
    } catch (error) {
        void vscode.window.showErrorMessage(`Deploying ${file} failed: ${error instanceof Error ? error.message : String(error)}`);
        return;
    }
    if (!result) {
        void vscode.window.showWarningMessage(`The language server has not loaded ${file} yet; try again in a moment.`);
        return;
    }
    if (result.status === 'deployed') {
        void vscode.window.showInformationMessage(result.message);
        return;
    }
    const { report } = result;
    const choice = await (report ? vscode.window.showWarningMessage(result.message, showReport) : vscode.window.showWarningMessage(result.message));
    if (choice === showReport && report) {
        await openReport(report);
    }
}

/** The acceptance report as `fspec test` prints it, in an untitled document beside the spec. */
async function openReport(report: AcceptanceReport): Promise<void> {
    const shown = await vscode.workspace.openTextDocument({ content: formatAcceptanceReport(report), language: 'plaintext' });
    await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}
