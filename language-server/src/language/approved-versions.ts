import {
    DocumentState, URI, UriUtils,
    type FileSystemProvider, type LangiumCoreServices, type LangiumDocumentFactory, type Linker, type ScopeComputation
} from 'langium';
import { isSpec } from '../generated/ast.js';
import { buildSpecGraph } from '../model/spec-graph-builder.js';
import type { ApprovedVersion, ApprovedVersionStore } from '../model/approved-versions.js';

export type { ApprovedVersionStore } from '../model/approved-versions.js';

/**
 * Approved versions kept as files: `.factory/approved/<SpecName>.fspec` in the document's folder
 * or the nearest ancestor folder that has one. Each file is parsed and linked with the same
 * services as the document, once per content.
 */
export class FileApprovedVersionStore implements ApprovedVersionStore {
    private readonly fileSystem: FileSystemProvider;
    private readonly documentFactory: LangiumDocumentFactory;
    private readonly scopeComputation: ScopeComputation;
    private readonly linker: Linker;
    private readonly loaded = new Map<string, { text: string, version: ApprovedVersion }>();

    constructor(services: LangiumCoreServices) {
        this.fileSystem = services.shared.workspace.FileSystemProvider;
        this.documentFactory = services.shared.workspace.LangiumDocumentFactory;
        this.scopeComputation = services.references.ScopeComputation;
        this.linker = services.references.Linker;
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
        const document = this.documentFactory.fromString(text, file);
        const { parseResult } = document;
        if (parseResult.lexerErrors.length || parseResult.parserErrors.length || !isSpec(parseResult.value)) {
            const first = parseResult.lexerErrors[0]?.message ?? parseResult.parserErrors[0]?.message ?? 'not a spec';
            return { location, problem: `the approved version does not parse (${first})` };
        }
        document.localSymbols = await this.scopeComputation.collectLocalSymbols(document);
        document.state = DocumentState.ComputedScopes;
        await this.linker.link(document);
        return { location, graph: buildSpecGraph(parseResult.value) };
    }
}
