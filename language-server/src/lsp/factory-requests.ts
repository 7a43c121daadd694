import { DocumentState, URI, type LangiumDocument } from 'langium';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import type { Spec } from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import { lineageReport } from '../lineage/lineage-report.js';
import { recordedVersions } from '../lineage/recorded-versions.js';
import { diffSpecGraphs } from '../model/semantic-diff.js';
import { normalizeSpecGraph, type NormalizedSpecGraph, type SpecGraph } from '../model/spec-graph.js';
import {
    FactoryMethods, type DiffParams, type DiffResult, type DocumentParams, type LineageResult, type RenderParams, type RenderResult
} from '../protocol.js';
import { exceedsMermaidLimits, growthState, renderDiagram, UnknownPipelineError } from '../render/index.js';

/**
 * The factory requests over the language's own services. Each answers from the validated model of
 * the document (null when the server does not know the document), so a client never sees a half-built state.
 */
export class FactoryRequests {
    constructor(private readonly services: FspecServices) {}

    async normalize({ uri }: DocumentParams): Promise<NormalizedSpecGraph | null> {
        const document = await this.validated(uri);
        return document ? normalizeSpecGraph(this.graphOf(document)) : null;
    }

    async render({ uri, mode, pipeline }: RenderParams): Promise<RenderResult | null> {
        const document = await this.validated(uri);
        if (!document) {
            return null;
        }
        const graph = this.graphOf(document);
        const approved = mode === 'board' ? (await this.approved(document))?.graph : undefined;
        const recorded = mode === 'lineage' && document.uri.scheme === 'file' ? await recordedVersions(graph.name, document.uri.fsPath) : undefined;
        const diagram = renderDiagram(graph, mode, { pipeline, growth: approved && growthState(approved, graph), recorded });
        const hasErrors = (document.diagnostics ?? []).some(d => d.severity === 1);
        return { diagram, hasErrors, tooLarge: exceedsMermaidLimits(diagram) };
    }

    async diff({ uri, against }: DiffParams): Promise<DiffResult | null> {
        const document = await this.validated(uri);
        if (!document) {
            return null;
        }
        let before: SpecGraph | undefined;
        let location: string | undefined;
        if (against) {
            const earlier = await this.validated(against);
            before = earlier && this.graphOf(earlier);
            location = against;
        } else {
            const approved = await this.approved(document);
            before = approved?.graph;
            location = approved?.location;
        }
        return before ? { against: location, morphs: diffSpecGraphs(before, this.graphOf(document)) } : { morphs: [] };
    }

    async lineage({ uri }: DocumentParams): Promise<LineageResult | null> {
        const document = await this.validated(uri);
        if (!document) {
            return null;
        }
        return lineageReport(this.services, document);
    }

    private graphOf(document: LangiumDocument<Spec>): SpecGraph {
        return this.services.model.SpecGraphs.get(document.parseResult.value);
    }

    private approved(document: LangiumDocument<Spec>) {
        return this.services.model.ApprovedVersions.find(document.parseResult.value.name, document.uri.toString());
    }

    /** The document once its current text is validated; undefined when the workspace does not have it. */
    private async validated(uri: string): Promise<LangiumDocument<Spec> | undefined> {
        const parsed = URI.parse(uri);
        const documents = this.services.shared.workspace.LangiumDocuments;
        if (!documents.hasDocument(parsed)) {
            return undefined;
        }
        await this.services.shared.workspace.DocumentBuilder.waitUntil(DocumentState.Validated, parsed);
        return documents.getDocument(parsed) as LangiumDocument<Spec>;
    }
}

/** Wires the factory requests to a connection, and announces every validated document so previews update without polling. */
export function registerFactoryRequests(connection: Connection, services: FspecServices): void {
    const requests = new FactoryRequests(services);
    connection.onRequest(FactoryMethods.normalize, params => requests.normalize(params));
    connection.onRequest(FactoryMethods.render, async params => {
        try {
            return await requests.render(params);
        } catch (error) {
            // A pipeline the spec does not have is the client's mistake, not the server's.
            if (error instanceof UnknownPipelineError) {
                throw new ResponseError(ErrorCodes.InvalidParams, error.message);
            }
            throw error;
        }
    });
    connection.onRequest(FactoryMethods.diff, params => requests.diff(params));
    connection.onRequest(FactoryMethods.lineage, params => requests.lineage(params));
    services.shared.workspace.DocumentBuilder.onBuildPhase(DocumentState.Validated, documents => {
        const uris = documents.filter(d => d.textDocument.languageId === 'fspec').map(d => d.uri.toString());
        if (uris.length) {
            void connection.sendNotification(FactoryMethods.modelChanged, { uris });
        }
    });
}
