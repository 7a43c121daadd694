/**
 * Attractor pipelines (`*.dot`, the crew's `.factory/crew.dot`) in the same server as the spec
 * language, beside Langium rather than inside it: the engine's own parser and lint check each open
 * pipeline as it is typed, and their problems are published as diagnostics (the rule as `code`,
 * source `attractor`). A crew pipeline — under `.factory/`, or one whose nodes use `crew.*` types —
 * is linted with the crew's node types and attributes; any other pipeline with the engine's alone.
 * Hover and completion come from the attribute catalog (pipeline-hover.ts, pipeline-completion.ts).
 */
import * as fs from 'node:fs';
import { URI } from 'langium';
import type { TextDocuments } from 'langium/lsp';
import { DiagnosticSeverity, type CompletionParams, type Connection, type Diagnostic, type HoverParams } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { crewValidateOptions } from '../crew/crew-vocabulary.js';
import {
    locateDiagnostics, parsePipeline, preparePipeline,
    type Diagnostic as PipelineDiagnostic, type LocatedDiagnostic, type ParsedPipeline, type ValidateOptions
} from '../crew/engine/index.js';
import { FactoryMethods } from '../protocol.js';
import type { PipelineFeatures } from './pipeline-connection.js';
import { pipelineCompletion } from './pipeline-completion.js';
import { pipelineHover } from './pipeline-hover.js';
import { contextAt } from './pipeline-text.js';

/** The language id clients give pipeline documents (the VS Code extension's `attractor-dot`). */
export const PIPELINE_LANGUAGE_ID = 'attractor-dot';

/** A pipeline's text, parsed and linted. */
export interface AnalyzedPipeline {
    readonly uri: string;
    readonly text: string;
    /** Linted as a crew pipeline (crew node types and attributes known). */
    readonly crew: boolean;
    readonly options: ValidateOptions;
    readonly parsed: ParsedPipeline;
    /** Parse problems and lint diagnostics, each with its range. */
    readonly located: readonly LocatedDiagnostic[];
    readonly hasErrors: boolean;
}

/** A pipeline under a `.factory/` folder, or one that uses the crew's node types, is a crew pipeline. */
export function isCrewPipeline(uri: string, text: string): boolean {
    return URI.parse(uri).path.split('/').includes('.factory') || /\btype\s*=\s*"?crew\./.test(text);
}

/** Parses and lints a pipeline text, as `fspec pipeline validate` and a run do. */
export function analyzePipeline(uri: string, text: string): AnalyzedPipeline {
    const crew = isCrewPipeline(uri, text);
    const options: ValidateOptions = crew ? crewValidateOptions() : {};
    const parsed = parsePipeline(text, { attributes: options.attributes });
    const lint: PipelineDiagnostic[] = parsed.graph ? preparePipeline(parsed.graph, options).diagnostics : [];
    const located = locateDiagnostics([...parsed.problems, ...lint], parsed.sourceMap);
    return { uri, text, crew, options, parsed, located, hasErrors: located.some(l => l.diagnostic.severity === 'error') };
}

const SEVERITY: Record<PipelineDiagnostic['severity'], DiagnosticSeverity> = {
    error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information
};

export function toLspDiagnostic({ diagnostic: d, range }: LocatedDiagnostic): Diagnostic {
    return {
        range, severity: SEVERITY[d.severity], code: d.rule, source: 'attractor', message: d.message,
        data: { code: d.rule, ...(d.fix !== undefined && { fix: d.fix }), ...(d.node_id !== undefined && { node: d.node_id }), ...(d.edge && { edge: d.edge }) }
    };
}

/**
 * The pipeline documents of one connection: diagnostics on open and change (cleared on close), a
 * `fspec/modelChanged` after each check so a preview redraws, and hover and completion for them.
 */
export class PipelineLanguage implements PipelineFeatures {
    private readonly analyzed = new Map<string, { version: number; result: AnalyzedPipeline }>();
    readonly handlers: PipelineFeatures['handlers'];

    constructor(private readonly connection: Connection, private readonly documents: TextDocuments<TextDocument>) {
        documents.onDidChangeContent(({ document }) => {
            if (this.handles(document.uri)) {
                this.check(document);
            }
        });
        documents.onDidClose(({ document }) => {
            if (this.handles(document.uri)) {
                this.analyzed.delete(document.uri);
                void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
            }
        });
        this.handlers = {
            onHover: (params: HoverParams) => this.hover(params),
            onCompletion: (params: CompletionParams) => this.completion(params)
        };
    }

    /** A document the client calls a pipeline (`attractor-dot`, or `dot` as other editors name it), or any `.dot` file not opened as a spec. */
    handles(uri: string): boolean {
        const languageId = this.documents.get(uri)?.languageId;
        return languageId === PIPELINE_LANGUAGE_ID || languageId === 'dot' || languageId !== 'fspec' && /\.dot$/i.test(URI.parse(uri).path);
    }

    /** The pipeline's text: the given one, the editor's, or the file's; undefined when there is none. */
    text(uri: string, text?: string): string | undefined {
        if (text !== undefined) {
            return text;
        }
        const open = this.documents.get(uri);
        if (open) {
            return open.getText();
        }
        const parsed = URI.parse(uri);
        try {
            return parsed.scheme === 'file' ? fs.readFileSync(parsed.fsPath, 'utf8') : undefined;
        } catch {
            return undefined;
        }
    }

    /** The analysis of a pipeline's current text (the editor's, cached per version; else the file's). */
    analyze(uri: string, text?: string): AnalyzedPipeline | undefined {
        const open = text === undefined ? this.documents.get(uri) : undefined;
        if (open) {
            const cached = this.analyzed.get(uri);
            if (cached?.version === open.version) {
                return cached.result;
            }
            const result = analyzePipeline(uri, open.getText());
            this.analyzed.set(uri, { version: open.version, result });
            return result;
        }
        const current = this.text(uri, text);
        return current === undefined ? undefined : analyzePipeline(uri, current);
    }

    private check(document: TextDocument): void {
        const result = this.analyze(document.uri)!;
        void this.connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: result.located.map(toLspDiagnostic) });
        void this.connection.sendNotification(FactoryMethods.modelChanged, { uris: [document.uri] });
    }

    private hover({ textDocument, position }: HoverParams) {
        const document = this.documents.get(textDocument.uri);
        const analyzed = document && this.analyze(textDocument.uri);
        const context = document && contextAt(document.getText(), document.offsetAt(position), false);
        return analyzed && context ? pipelineHover(analyzed, context, offset => document.positionAt(offset)) : null;
    }

    private async completion({ textDocument, position }: CompletionParams) {
        const document = this.documents.get(textDocument.uri);
        if (!document) {
            return null;
        }
        const text = document.getText();
        const context = contextAt(text, document.offsetAt(position), true);
        return context ? pipelineCompletion(text, isCrewPipeline(textDocument.uri, text), context, offset => document.positionAt(offset)) : null;
    }
}
