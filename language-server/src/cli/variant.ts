import type { FspecServices } from '../fspec-module.js';
import { LineageRefusal } from '../lineage/lineage-refusal.js';
import { startVariant } from '../lineage/start-variant.js';
import { unusable, type CommandResult } from './commands.js';
import { buildSpecs, structuralErrors } from './load.js';

export interface VariantOptions {
    /** The approved version to start from; the approved baseline when absent. */
    from?: string;
    json?: boolean;
}

/** `fspec variant`: starts a variant of the spec on its own branch; exit 1 when refused (nothing changed then). */
export async function variantCommand(services: FspecServices, file: string, name: string, options: VariantOptions): Promise<CommandResult> {
    const [document] = await buildSpecs(services, [file]);
    const broken = structuralErrors(document);
    if (broken.length) {
        return unusable(document, broken);
    }
    const specName = document.parseResult.value.name;
    try {
        const started = await startVariant(specName, document.uri.fsPath, name, options.from);
        return { stdout: options.json ? JSON.stringify({ status: 'started', ...started }, null, 2) : started.message, exitCode: 0 };
    } catch (error) {
        if (error instanceof LineageRefusal) {
            return { stdout: options.json ? JSON.stringify({ status: 'refused', reason: error.reason, message: error.message }, null, 2) : error.message, exitCode: 1 };
        }
        throw error;
    }
}
