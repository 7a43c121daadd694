import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { isVariantName } from '../../../language-server/src/lineage/versions.js';
import { FactoryMethods } from '../../../language-server/src/protocol.js';
import { uriKey } from '../preview/preview-panels.js';

/**
 * `fspec.startVariant`: asks for the variant's name and the approved version it grows from, then
 * has the server create and check out its branch (`fspec/startVariant`). The spec must be saved:
 * the checkout may rewrite the file on disk.
 */
export async function startVariant(client: LanguageClient, uri: string): Promise<void> {
    const document = vscode.workspace.textDocuments.find(d => uriKey(d.uri) === uri);
    const file = vscode.Uri.parse(uri).path.split('/').pop();
    if (document?.isDirty) {
        void vscode.window.showWarningMessage(`Save ${file} before starting a variant: checking out its branch may rewrite the file.`);
        return;
    }
    const lineage = await client.sendRequest(FactoryMethods.lineage, { uri });
    const versions = lineage?.recorded.filter(v => !v.rolledBack) ?? [];
    if (!lineage || versions.length === 0) {
        void vscode.window.showWarningMessage(`${lineage?.spec ?? file} has no approved version in git yet: grow it and approve the growth, then start a variant from that version.`);
        return;
    }
    const name = await vscode.window.showInputBox({
        title: `Start a Variant of ${lineage.spec}`,
        prompt: `Its branch will be fspec/${lineage.spec}/<name>, and its versions end in -<name>.`,
        placeHolder: 'coastal',
        validateInput: value => isVariantName(value) ? undefined : 'Start with a letter, then letters, digits or underscores.'
    });
    if (!name) {
        return;
    }
    const baseline = lineage.approved?.version;
    const picked = versions.length === 1 ? { version: versions[0]!.version } : await vscode.window.showQuickPick(
        versions.map(v => ({
            label: v.version, version: v.version,
            description: [v.version === baseline && 'approved baseline', !v.reachable && 'on another branch', v.stage].filter(Boolean).join(' · '),
            detail: `${v.tag} · ${v.commit.slice(0, 7)} · ${v.date.slice(0, 10)}`
        })),
        { title: `Start ${name} from which approved version of ${lineage.spec}?` }
    );
    if (!picked) {
        return;
    }
    try {
        const started = await client.sendRequest(FactoryMethods.startVariant, { uri, name, from: picked.version });
        void vscode.window.showInformationMessage(started.message);
    } catch (error) {
        void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
    }
}
