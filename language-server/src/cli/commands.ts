import * as fs from 'node:fs';
import type { FspecServices } from '../fspec-module.js';
import { lineageReport } from '../lineage/lineage-report.js';
import { recordedVersions, type RecordedVersion } from '../lineage/recorded-versions.js';
import { diffSpecGraphs } from '../model/semantic-diff.js';
import { serializeSpecGraph } from '../model/spec-graph.js';
import { diagramModes, growthState, renderDiagram, UnknownPipelineError, type DiagramMode, type GrowthState } from '../render/index.js';
import { diagnosticRecord, displayPath, formatRecord } from './format.js';
import { buildSpecs, collectSpecFiles, InputError, structuralErrors } from './load.js';

/** What a command prints and its exit code; main.ts writes it out. */
export interface CommandResult {
    stdout: string;
    stderr?: string;
    exitCode: number;
}

/** `fspec validate`: every diagnostic of every spec; exit 1 when any is an error. */
export async function validateCommand(services: FspecServices, paths: string[], options: { json?: boolean }): Promise<CommandResult> {
    const documents = await buildSpecs(services, collectSpecFiles(paths));
    const records = documents.flatMap(document => (document.diagnostics ?? [])
        .map(d => diagnosticRecord(document, d))
        .sort((a, b) => a.line - b.line || a.column - b.column));
    const errors = records.filter(r => r.severity === 'error').length;
    const warnings = records.filter(r => r.severity === 'warning').length;
    const stdout = options.json
        ? JSON.stringify(records, null, 2)
        : [...records.map(formatRecord), `${documents.length} spec${documents.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`].join('\n');
    return { stdout, exitCode: errors > 0 ? 1 : 0 };
}

/** `fspec normalize`: the spec graph as stable JSON. */
export async function normalizeCommand(services: FspecServices, file: string): Promise<CommandResult> {
    const [document] = await buildSpecs(services, [file]);
    const broken = structuralErrors(document);
    if (broken.length) {
        return unusable(document, broken);
    }
    return { stdout: serializeSpecGraph(services.model.SpecGraphs.get(document.parseResult.value)), exitCode: 0 };
}

/** `fspec diff`: the morphs that turn the old version into the new one. */
export async function diffCommand(services: FspecServices, oldFile: string, newFile: string, options: { json?: boolean }): Promise<CommandResult> {
    const [before, after] = await buildSpecs(services, [oldFile, newFile]);
    for (const document of [before, after]) {
        const broken = structuralErrors(document);
        if (broken.length) {
            return unusable(document, broken);
        }
    }
    const graphs = services.model.SpecGraphs;
    const morphs = diffSpecGraphs(graphs.get(before.parseResult.value), graphs.get(after.parseResult.value));
    const where = displayPath(after.uri.fsPath);
    if (options.json) {
        return { stdout: JSON.stringify(morphs.map(m => ({ ...m, file: where })), null, 2), exitCode: 0 };
    }
    const lines = morphs.map(m => `${where}:${(m.range?.start.line ?? 0) + 1}:${(m.range?.start.character ?? 0) + 1} ${m.kind} ${m.detail}`);
    const summary = morphs.length === 0 ? 'No changes.' : `${morphs.length} morph${morphs.length === 1 ? '' : 's'} from ${oldFile} to ${newFile}.`;
    return { stdout: [...lines, summary].join('\n'), exitCode: 0 };
}

export interface RenderCommandOptions {
    mode?: string;
    pipeline?: string;
    out?: string;
}

/**
 * `fspec render`: one view of the spec as Mermaid text. The board's In progress and Review
 * columns come from the morphs since the approved version, judged as `validate` judges them.
 */
export async function renderCommand(services: FspecServices, file: string, options: RenderCommandOptions): Promise<CommandResult> {
    const mode = options.mode ?? 'flowchart';
    if (!(diagramModes as readonly string[]).includes(mode)) {
        throw new InputError(`unknown mode '${mode}'; use one of ${diagramModes.join(', ')}`);
    }
    if (options.pipeline !== undefined && mode !== 'flowchart') {
        throw new InputError('--pipeline applies to --mode flowchart only');
    }
    const [document] = await buildSpecs(services, [file]);
    const broken = structuralErrors(document);
    if (broken.length) {
        return unusable(document, broken);
    }
    const graph = services.model.SpecGraphs.get(document.parseResult.value);
    let growth: GrowthState | undefined;
    let stderr: string | undefined;
    if (mode === 'board') {
        const approved = await services.model.ApprovedVersions.find(graph.name, document.uri.toString());
        if (approved?.graph) {
            growth = growthState(approved.graph, graph);
        } else if (approved) {
            stderr = `fspec: board shows no growth: ${approved.problem} (${approved.location})`;
        }
    }
    let mermaid: string;
    try {
        const recorded = mode === 'lineage' ? await recordedVersions(graph.name, document.uri.fsPath) : undefined;
        mermaid = renderDiagram(graph, mode as DiagramMode, { pipeline: options.pipeline, growth, recorded }).mermaid;
    } catch (error) {
        throw error instanceof UnknownPipelineError ? new InputError(`${file}: ${error.message}`) : error;
    }
    if (options.out === undefined) {
        return { stdout: mermaid.trimEnd(), stderr, exitCode: 0 };
    }
    try {
        fs.writeFileSync(options.out, mermaid);
    } catch (error) {
        throw new InputError(`${options.out}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    return { stdout: '', stderr, exitCode: 0 };
}

/** `fspec lineage`: the stages the spec declares, its approved version, and the versions recorded in git. */
export async function lineageCommand(services: FspecServices, file: string, options: { json?: boolean }): Promise<CommandResult> {
    const [document] = await buildSpecs(services, [file]);
    const broken = structuralErrors(document);
    if (broken.length) {
        return unusable(document, broken);
    }
    const report = await lineageReport(services, document);
    if (options.json) {
        return { stdout: JSON.stringify(report, null, 2), exitCode: 0 };
    }
    const recorded = new Map(report.recorded.map(r => [r.version, r]));
    const lines = report.entries.map(entry => {
        const record = recorded.get(entry.version);
        return `${entry.current ? '*' : ' '} ${entry.variant ? 'variant' : 'stage'} ${entry.name} ${entry.version}${entry.from ? ` from ${entry.from}` : ''}`
            + `${entry.by.length ? ` by ${entry.by.join(', ')}` : ''}${record ? `  ${recordNote(record)}` : ''}`;
    });
    const untracked = report.recorded.filter(r => !report.entries.some(e => e.version === r.version));
    return {
        stdout: [
            `${report.spec} ${report.version}`,
            ...lines,
            ...untracked.map(r => `  recorded ${r.version} ${recordNote(r)} not in the lineage section`),
            ...report.variants.length ? [`Variants: ${report.variants.map(v => `${v.name} (${v.branch}${v.current ? ', checked out' : ''})`).join(', ')}`] : [],
            ...report.deployed ? [`Deployed: ${report.deployed.version} (${report.deployed.tag})`] : [],
            report.approved ? `Approved baseline: ${report.approved.version ?? 'unreadable'} (${report.approved.location})` : 'No approved baseline yet.'
        ].join('\n'),
        exitCode: 0
    };
}

/** `[fspec/FarmOps/v0.3.0 abc1234 2026-11-23, rolled back]`: where git records a version, and whether it still counts on this branch. */
function recordNote(record: RecordedVersion): string {
    const notes = [`${record.tag} ${record.commit.slice(0, 7)} ${record.date.slice(0, 10)}`];
    if (record.rolledBack) {
        notes.push('rolled back');
    }
    if (!record.reachable) {
        notes.push('on another branch');
    }
    return `[${notes.join(', ')}]`;
}

export function unusable(document: Parameters<typeof diagnosticRecord>[0], errors: Parameters<typeof diagnosticRecord>[1][]): CommandResult {
    const file = displayPath(document.uri.fsPath);
    return {
        stdout: '',
        stderr: [...errors.map(d => formatRecord(diagnosticRecord(document, d))), `${file} does not parse or link; fix the errors above first.`].join('\n'),
        exitCode: 1
    };
}
