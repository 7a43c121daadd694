/**
 * Every message between the extension's webview panels (the preview, the mutation PR) and their
 * webviews, both ways, typed once.
 * The extension imports this file, and so does the webview bundle: it must stay free of
 * `vscode` and of DOM code. Types from the language server are imported as types only.
 */
import type { ForwardOp } from '../../language-server/src/model/record-migration-ops.js';
import type { DiagramMode } from '../../language-server/src/render/diagram.js';

export type { DiagramMode };
export { diagramModes } from '../../language-server/src/render/diagram.js';

/** The webview panel type: the serializer, the manifest's activation event and `when` clauses name it. */
export const previewViewType = 'fspec.preview';

/** True while a preview panel is the active editor tab, for title-bar commands. */
export const previewFocusContextKey = 'fspecPreviewFocus';

/** What a preview shows. */
export interface PreviewView {
    uri: string;
    mode: DiagramMode;
    /** Flowchart of one pipeline (by name). */
    pipeline?: string;
    /** An Attractor pipeline file (`.dot`) rather than a spec: its flowchart only, no modes. */
    kind?: 'pipeline';
}

/** The language id of Attractor pipelines (`.dot`) in VS Code. */
export const pipelineLanguageId = 'attractor-dot';

/** Pan and zoom: a diagram point p is drawn at p * scale + (x, y) in the viewport. */
export interface ViewTransform {
    scale: number;
    x: number;
    y: number;
}

/** What the webview saves with `setState`; VS Code hands it to the panel serializer after a reload. */
export interface PreviewState extends PreviewView {
    transform?: ViewTransform;
}

/** A pipeline the too-large fallback offers to show on its own. */
export interface PipelineChoice {
    name: string;
    label: string;
}

export type ExportFormat = 'svg' | 'png';

export const exportFormats: readonly ExportFormat[] = ['svg', 'png'];

/** Extension → webview. */
export type ToWebview =
    | {
        type: 'render';
        /** Echoed in `rendered`, so the extension can time an update end to end. */
        renderId: number;
        view: PreviewView;
        mermaid: string;
        /** The spec has errors: keep the last good diagram of this view if there is one. */
        hasErrors: boolean;
        /** Beyond Mermaid's default limits: the banner offers `pipelines` one at a time. */
        tooLarge: boolean;
        pipelines: PipelineChoice[];
    }
    /** The server could not render (no such pipeline, server not ready): shown in the banner. */
    | { type: 'problem'; message: string }
    /** The node the editor's cursor is in, or null for none. */
    | { type: 'highlight'; nodeId: string | null }
    /** Export the diagram on display; answered by `exported` or `exportFailed` with the same id. */
    | { type: 'export'; requestId: number; format: ExportFormat };

/** Webview → extension. */
export type FromWebview =
    /** The script has started (on open, on reload, and each time a hidden panel is shown again). */
    | { type: 'ready' }
    | { type: 'switchMode'; mode: DiagramMode }
    /** Show one pipeline's flowchart, or (null) the whole spec again. */
    | { type: 'showPipeline'; pipeline: string | null }
    /** A diagram node was clicked: reveal its source. */
    | { type: 'reveal'; nodeId: string }
    /** A toolbar export button: the extension asks where to save, then sends `export`. */
    | { type: 'exportRequest'; format: ExportFormat }
    | { type: 'exported'; requestId: number; format: ExportFormat; base64: string }
    | { type: 'exportFailed'; requestId: number; message: string }
    | { type: 'rendered'; renderId: number; mode: DiagramMode; nodeCount: number; durationMs: number }
    | { type: 'renderError'; renderId: number; message: string; tooLarge: boolean };

const fromWebviewTypes: ReadonlySet<string> = new Set<FromWebview['type']>([
    'ready', 'switchMode', 'showPipeline', 'reveal', 'exportRequest', 'exported', 'exportFailed', 'rendered', 'renderError'
]);

/** Whether a posted value is one of the webview's messages (by its `type`; the webview is our own code). */
export function isFromWebview(value: unknown): value is FromWebview {
    return typeof value === 'object' && value !== null && fromWebviewTypes.has((value as { type?: unknown }).type as string);
}

/** Whether two views show the same diagram (so an update keeps zoom and scroll). */
export function sameView(a: PreviewView | undefined, b: PreviewView | undefined): boolean {
    return a !== undefined && b !== undefined && a.uri === b.uri && a.mode === b.mode && (a.pipeline ?? null) === (b.pipeline ?? null);
}

// The mutation PR view: a growth of the agent crew awaiting review, or how its review ended.

/** The mutation PR panel type (no serializer: a PR can only be decided while its run waits in the server). */
export const mutationPrViewType = 'fspec.mutationPr';

export type ReviewDecision = 'approve' | 'reject';

type Risk = 'low' | 'medium' | 'high';

/**
 * How a growth run ended (or where it waits): the server's `GrowthStatus`, spelled out here
 * because the server's crew types import its Node modules, which the webview's DOM-only
 * typecheck lacks. The extension passes the server's values where these are expected, so the
 * root typecheck fails if the two drift apart.
 */
export type PrStatus = 'nothing-to-grow' | 'awaiting-review' | 'grown' | 'rejected' | 'vetoed' | 'failed' | 'cancelled';

/** The server's `MutationPr` as the view reads it (the fields it shows); spelled out for the same reason as `PrStatus`. */
export interface PrView {
    runId: string;
    spec: { name: string; path: string };
    planner: string;
    desires: Array<{ name: string; goal?: string; constraints: string[]; trusted_sources: string[]; outputs: string[]; cadence?: string }>;
    stage: { name: string; version: string; from?: string };
    /** The spec text before the growth (its header names the version grown from). */
    before: string;
    safety: { verdict: 'approved' | 'vetoed'; vetoes: Array<{ code: string; message: string; line: number }> };
    simulation: {
        morphs: Array<{ kind: string; detail: string; risk?: Risk; review?: 'human' | 'auto'; tests: string[] }>;
        risk: Risk;
        /** Each test with its result on the stored records; a required one that does not pass makes the growth not approvable. */
        tests: Array<{ name: string; text?: string; required: boolean; status: 'pass' | 'fail' | 'not-grown' | 'missing' | 'not-run'; detail?: string }>;
        /** Flowcharts with the added (after) and removed (before) elements already highlighted by their Mermaid classes. */
        diagrams: { before: { mermaid: string }; after: { mermaid: string } };
    };
    adapters: Array<{ source: string; entities: string[]; cadence?: string; url?: string; tier?: string }>;
    panels: Array<{ panel: string; title?: string; for: string[]; sections: Array<{ entity: string; fields: string[] }> }>;
    /** Step bodies the crew's model wrote: accepted (its code, to review) or refused (the last reasons). */
    bodies: Array<{ stage: string; status: 'grown' | 'not-grown'; attempts: number; body?: { skill: string; summary: string; code: string }; problems?: string[] }>;
    /** How the stored records migrate: the Migrator's ops, and each records file they touch with its number of records. */
    migration?: { ops: ForwardOp[]; files: Array<{ file: string; entity: string; records: number }> };
}

/** Where a PR's review is: open (the buttons), being deployed (buttons disabled), or ended (its final status instead). */
export type PrReview =
    | { phase: 'open' }
    | { phase: 'deploying'; decision: ReviewDecision }
    | { phase: 'ended'; status: PrStatus; message: string };

/** Extension → mutation PR webview. */
export type ToPrWebview =
    | { type: 'pr'; pr: PrView; review: PrReview }
    | { type: 'review'; runId: string; review: PrReview };

/** Mutation PR webview → extension. */
export type FromPrWebview =
    /** The script has started: send the PR. */
    | { type: 'ready' }
    | { type: 'approve'; runId: string }
    | { type: 'reject'; runId: string; reason: string }
    /** Show the text diff; with a line, that line of the proposed spec (a Safety veto's). */
    | { type: 'showDiff'; line?: number }
    /** Both flowcharts are drawn (or failed, each reported by `renderError`). */
    | { type: 'rendered'; runId: string; durationMs: number }
    | { type: 'renderError'; runId: string; side: 'before' | 'after'; message: string };

const fromPrWebviewTypes: ReadonlySet<string> = new Set<FromPrWebview['type']>(['ready', 'approve', 'reject', 'showDiff', 'rendered', 'renderError']);

export function isFromPrWebview(value: unknown): value is FromPrWebview {
    return typeof value === 'object' && value !== null && fromPrWebviewTypes.has((value as { type?: unknown }).type as string);
}
