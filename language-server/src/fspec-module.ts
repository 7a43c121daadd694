import { inject, type DeepPartial, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule,
    type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices
} from 'langium/lsp';
import { FspecGeneratedModule, FspecGeneratedSharedModule } from './generated/module.js';
import { FspecScopeComputation } from './language/fspec-scope-computation.js';
import { FspecScopeProvider } from './language/fspec-scope-provider.js';
import { FspecLinker } from './language/fspec-linker.js';
import { FspecWorkspaceManager } from './language/fspec-workspace-manager.js';
import { FspecDocumentValidator } from './language/fspec-document-validator.js';
import { FspecValidator, registerValidationChecks } from './language/fspec-validator.js';
import { FspecGrowthValidator } from './language/fspec-growth-validator.js';
import { FspecDriftValidator } from './language/fspec-drift-validator.js';
import { FspecDocumentUpdateHandler } from './language/fspec-document-update-handler.js';
import { DriftDetector } from './compiler/drift.js';
import type { ApprovedVersionStore } from './language/approved-versions.js';
import { GitApprovedVersionStore } from './language/git-approved-versions.js';
import { SpecGraphCache } from './language/spec-graph-cache.js';
import { DetachedSpecs } from './language/detached-specs.js';
import { FspecCodeActionProvider } from './lsp/fspec-code-actions.js';
import { FspecFormatter } from './lsp/fspec-formatter.js';
import { FspecSemanticTokenProvider } from './lsp/fspec-semantic-tokens.js';
import {
    FspecDocumentSymbolProvider, FspecFoldingRangeProvider, FspecNodeKindProvider, FspecWorkspaceSymbolProvider
} from './lsp/fspec-document-symbols.js';
import { FspecCodeLensProvider } from './lsp/fspec-code-lens.js';
import { FspecCompletionProvider } from './lsp/fspec-completion.js';
import { FspecHoverProvider } from './lsp/fspec-hover.js';
import { FspecInlayHintProvider } from './lsp/fspec-inlay-hints.js';
import { FspecRenameProvider } from './lsp/fspec-rename.js';
import { FspecCommandHandler } from './lsp/fspec-commands.js';

/** Services this language adds to Langium's defaults. */
export type FspecAddedServices = {
    validation: {
        FspecValidator: FspecValidator,
        FspecGrowthValidator: FspecGrowthValidator,
        FspecDriftValidator: FspecDriftValidator
    },
    model: {
        /** Where the last approved version of a spec comes from (the git lineage's version tags, else .factory/approved files). */
        ApprovedVersions: ApprovedVersionStore,
        /** The spec graph of each built document, built once per document version. */
        SpecGraphs: SpecGraphCache,
        /** Spec texts read outside the workspace: approved versions, the crew's proposals. */
        DetachedSpecs: DetachedSpecs,
        /** Hand edits of the spec's built app (`.factory/build/<version>/`), checked against its manifest. */
        BuildDrift: DriftDetector
    }
};

export type FspecServices = LangiumServices & FspecAddedServices;

export const FspecModule: Module<FspecServices, PartialLangiumServices & FspecAddedServices> = {
    references: {
        ScopeComputation: (services) => new FspecScopeComputation(services),
        ScopeProvider: (services) => new FspecScopeProvider(services),
        Linker: (services) => new FspecLinker(services)
    },
    validation: {
        DocumentValidator: (services) => new FspecDocumentValidator(services),
        FspecValidator: (services) => new FspecValidator(services),
        FspecGrowthValidator: (services) => new FspecGrowthValidator(services),
        FspecDriftValidator: (services) => new FspecDriftValidator(services)
    },
    lsp: {
        CodeActionProvider: (services) => new FspecCodeActionProvider(services),
        CompletionProvider: (services) => new FspecCompletionProvider(services),
        Formatter: () => new FspecFormatter(),
        SemanticTokenProvider: (services) => new FspecSemanticTokenProvider(services),
        DocumentSymbolProvider: () => new FspecDocumentSymbolProvider(),
        FoldingRangeProvider: (services) => new FspecFoldingRangeProvider(services),
        HoverProvider: (services) => new FspecHoverProvider(services),
        RenameProvider: (services) => new FspecRenameProvider(services),
        CodeLensProvider: (services) => new FspecCodeLensProvider(services),
        InlayHintProvider: (services) => new FspecInlayHintProvider(services)
    },
    model: {
        ApprovedVersions: (services) => new GitApprovedVersionStore(services),
        SpecGraphs: () => new SpecGraphCache(),
        DetachedSpecs: (services) => new DetachedSpecs(services),
        BuildDrift: () => new DriftDetector()
    }
};

export const FspecSharedModule: Module<LangiumSharedServices, DeepPartial<LangiumSharedServices>> = {
    workspace: {
        WorkspaceManager: (services) => new FspecWorkspaceManager(services)
    },
    lsp: {
        NodeKindProvider: () => new FspecNodeKindProvider(),
        WorkspaceSymbolProvider: (services) => new FspecWorkspaceSymbolProvider(services),
        DocumentUpdateHandler: (services) => new FspecDocumentUpdateHandler(services),
        ExecuteCommandHandler: (services) => new FspecCommandHandler(services)
    }
};

/**
 * The one composition root: the language server, the CLI and the tests all call this.
 * Without a connection (CLI, tests) the configuration provider is initialized here.
 */
export function createFspecServices(context: DefaultSharedModuleContext): {
    shared: LangiumSharedServices,
    Fspec: FspecServices
} {
    const shared = inject(
        createDefaultSharedModule(context),
        FspecGeneratedSharedModule,
        FspecSharedModule
    );
    const Fspec = inject(
        createDefaultModule({ shared }),
        FspecGeneratedModule,
        FspecModule
    );
    shared.ServiceRegistry.register(Fspec);
    registerValidationChecks(Fspec);
    if (!context.connection) {
        shared.workspace.ConfigurationProvider.initialized({});
    }
    return { shared, Fspec };
}
