import { URI, UriUtils, type FileSystemProvider } from 'langium';
import type { FspecServices } from '../fspec-module.js';
import type { ApprovedVersion, ApprovedVersionStore } from '../model/approved-versions.js';
import type { DetachedSpecs } from './detached-specs.js';

export type { ApprovedVersionStore } from '../model/approved-versions.js';

/**
 * Approved versions kept as files: `.factory/approved/<SpecName>.fspec` in the document's folder
 * or the nearest ancestor folder that has one. Each file is read as a detached spec, once per content.
 */
export class FileApprovedVersionStore implements ApprovedVersionStore {
    private readonly fileSystem: FileSystemProvider;
    private readonly detached: DetachedSpecs;
    private readonly loaded = new Map<string, { text: string, version: ApprovedVersion }>();

    constructor(services: FspecServices) {
        this.fileSystem = services.shared.workspace.FileSystemProvider;
        this.detached = services.model.DetachedSpecs;
    }

    async find(specName: string, documentUri: string): Promise<ApprovedVersion | undefined> {
        const file = await this.locate(specName, URI.parse(documentUri));
        if (!file) {
            return undefined;
        }
        const text = await this.fileSystem.readFile(file);
        const key = file.toString();
        const cached = this.loaded.get(key);
        if (cached?.text === text) {
            return cached.version;
        }
        const version = await this.load(file, text);
        this.loaded.set(key, { text, version });
        return version;
    }

    private async locate(specName: string, documentUri: URI): Promise<URI | undefined> {
        let folder = UriUtils.dirname(documentUri);
        for (;;) {
            const candidate = UriUtils.joinPath(folder, '.factory', 'approved', `${specName}.fspec`);
            // The approved file itself lives under .factory/approved: it has no baseline of its own.
            if (UriUtils.equals(candidate, documentUri)) {
                return undefined;
            }
            if (await this.fileSystem.exists(candidate)) {
                return candidate;
            }
            const parent = UriUtils.dirname(folder);
            if (parent.path === folder.path) {
                return undefined;
            }
            folder = parent;
        }
    }

    private async load(file: URI, text: string): Promise<ApprovedVersion> {
        const location = file.scheme === 'file' ? file.fsPath : file.toString();
        const { graph, problem } = await this.detached.load(text, file);
        return graph ? { location, graph } : { location, problem: `the approved version does not parse (${problem})` };
    }
}
