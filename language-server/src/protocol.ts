/**
 * The factory's custom LSP methods, typed once for the server, the extension and any other client
 * (the seed's API sketch as requests: normalize, render, diff, lineage). Imports nothing but
 * protocol types, so the extension can use it without pulling in the server.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Morph } from './model/morphs.js';
import type { NormalizedSpecGraph, SourceRange } from './model/spec-graph.js';
import type { Diagram, DiagramMode } from './render/diagram.js';

export interface DocumentParams {
    uri: string;
}

export interface RenderParams extends DocumentParams {
    mode: DiagramMode;
    /** Flowchart only: one pipeline, for specs too large to show whole. */
    pipeline?: string;
}

export interface RenderResult {
    diagram: Diagram;
    /** The spec has errors: the diagram shows what parsed; a preview may keep its last good one. */
    hasErrors: boolean;
    /** The diagram exceeds Mermaid's default limits; offer the per-pipeline view. */
    tooLarge: boolean;
}

export interface DiffParams extends DocumentParams {
    /** The earlier version; without it, the spec's last approved version. */
    against?: string;
}

export interface DiffResult {
    /** Where the earlier version came from; absent when there is none to compare with. */
    against?: string;
    morphs: Morph[];
}

export interface LineageEntryInfo {
    name: string;
    version: string;
    variant: boolean;
    from?: string;
    /** Applied morphs as written: `add_source contracts_feed`. */
    by: string[];
    /** The stage the spec header says the spec is at. */
    current: boolean;
    range?: SourceRange;
}

export interface LineageResult {
    spec: string;
    version: string;
    entries: LineageEntryInfo[];
    /** The last approved version, when one is found. */
    approved?: { location: string, version?: string };
}

export interface ModelChangedParams {
    /** Documents whose model was rebuilt and validated. */
    uris: string[];
}

export const FactoryMethods = {
    normalize: new RequestType<DocumentParams, NormalizedSpecGraph | null, void>('fspec/normalize'),
    render: new RequestType<RenderParams, RenderResult | null, void>('fspec/render'),
    diff: new RequestType<DiffParams, DiffResult | null, void>('fspec/diff'),
    lineage: new RequestType<DocumentParams, LineageResult | null, void>('fspec/lineage'),
    modelChanged: new NotificationType<ModelChangedParams>('fspec/modelChanged')
} as const;
