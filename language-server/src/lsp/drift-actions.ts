import * as path from 'node:path';
import { AstUtils, DocumentState, URI, type LangiumDocument } from 'langium';
import { CodeActionKind, ErrorCodes, MessageType, ResponseError, ShowMessageNotification, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { buildApp } from '../compiler/build-app.js';
import { describeDrift, type DriftEdit, type DriftedFile } from '../compiler/drift.js';
import * as ast from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import type { DriftData } from '../language/fspec-drift-validator.js';
import { appendToSection } from '../language/spec-edits.js';
import { uniqueName } from '../model/names.js';
import { idName } from '../model/spec-graph.js';

/** Commands the server runs itself (`workspace/executeCommand`), so any LSP client can offer them. */
export const FspecCommands = {
    /** Args `[uri]`: rebuilds the spec's app in place (`fspec build`), which regenerates drifted files and keeps edited bodies. */
    Reconverge: 'fspec.drift.reconverge'
} as const;

/**
 * The quick fixes of a `drift` diagnostic:
 * - **Re-converge**: the command above, so the generated file is what the spec says again;
 * - **Propose as morph**: a desire describing the hand edit, appended to `desires`, for the crew to
 *   grow into a spec change (and Safety to judge) when the spec is saved or grown.
 */
export function driftFixes(services: FspecServices, document: LangiumDocument<ast.Spec>, diagnostic: Diagnostic): CodeAction[] {
    const data = diagnostic.data as DriftData;
    const uri = document.textDocument.uri;
    // A spec with errors does not build (the command would refuse it): re-converging waits until it is fixed.
    const buildable = !(document.diagnostics ?? []).some(d => d.severity === 1);
    const actions: CodeAction[] = buildable ? [{
        title: `Re-converge: regenerate ${data.file} from the spec`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true,
        command: { title: 'Re-converge', command: FspecCommands.Reconverge, arguments: [uri] }
    }] : [];
    if (document.uri.scheme !== 'file') {
        return actions;
    }
    const spec = document.parseResult.value;
    const specPath = document.uri.fsPath;
    const graph = services.model.SpecGraphs.get(spec);
    const report = services.model.BuildDrift.check(specPath, graph);
    const file = report?.files.find(f => f.path === data.file && f.change === data.change);
    if (!report || !file) {
        // The file is what the build wrote again: nothing to propose.
        return actions;
    }
    const taken = AstUtils.streamAllContents(spec).filter(ast.isElement).map(e => e.name ?? '').toArray();
    const desire = driftDesire(describeDrift(specPath, graph, report, file), file, taken);
    const edit = appendToSection(document, 'desires', desire.lines);
    if (edit) {
        actions.push({
            title: `Propose as morph: add desire '${desire.name}' describing the ${file.change === 'deleted' ? 'deletion' : 'edit'}`,
            kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [edit] } }
        });
    }
    return actions;
}

/** Lines of the diff shown in the desire's doc comment, and how much of each. */
const shownLines = 10;
const snippetLength = 80;

/**
 * The desire a hand edit becomes: named after the file (`keep_allocate_edit`), titled with it, its
 * goal a deterministic one-line summary of the change, and the changed lines in its doc comment
 * (for the reviewer, and for a model Planner, which reads the spec's text).
 */
export function driftDesire(edit: DriftEdit, file: DriftedFile, taken: Iterable<string>): { name: string, lines: string[] } {
    const stem = file.owner?.startsWith('step:') || file.owner?.startsWith('gate:')
        ? idName(file.owner).split('.').at(-1)!
        : path.posix.basename(file.path).replace(/\.[^.]*$/, '');
    const name = uniqueName(`keep_${stem.replace(/\W+/g, '_').toLowerCase()}_edit`, taken);
    const title = edit.change === 'deleted' ? `Keep ${edit.path} deleted` : `Keep the hand edit to ${edit.path}`;
    const where = file.hasBodies ? ', outside its marked body' : '';
    const diff = [...edit.removed.map(l => `- ${l}`), ...edit.added.map(l => `+ ${l}`)];
    const comment = [
        `/** Drift: ${edit.path} ${edit.change === 'deleted' ? 'was deleted from the built app' : `was edited by hand${where}`}.`,
        ...diff.slice(0, shownLines).map(l => ` *   ${commentSafe(clip(l, 2 * snippetLength))}`),
        ...diff.length > shownLines ? [` *   … ${diff.length - shownLines} more changed lines`] : [],
        ' */'
    ];
    return {
        name,
        lines: [...comment, `desire ${name} ${quoted(title)} {`, `  goal ${quoted(driftGoal(edit, where))}`, '}']
    };
}

/** A short, deterministic summary of the change. */
export function driftGoal(edit: DriftEdit, where: string): string {
    if (edit.change === 'deleted') {
        return `Do without ${edit.path}, which was deleted from the generated app by hand`;
    }
    if (!edit.isolated) {
        return `Keep what was changed by hand in ${edit.path}${where} (the spec changed since the build, so the change cannot be shown line by line)`;
    }
    const [removed, added] = edit.removed[0] !== undefined && edit.added[0] !== undefined
        ? aroundChange(edit.removed[0], edit.added[0])
        : [edit.removed[0], edit.added[0]].map(l => l && `'${clip(l, snippetLength)}'`);
    const change = removed && added ? `${removed} became ${added}` : added ? `added ${added}` : removed ? `removed ${removed}` : 'whitespace changed';
    const counts = `${edit.removed.length} line${edit.removed.length === 1 ? '' : 's'} removed, ${edit.added.length} added`;
    return `In ${edit.path}${where}: ${change} (${counts})`;
}

/** Words of context kept before the first difference of a changed line. */
const contextBefore = 16;

/** A changed line before and after, quoted from a word shortly before where they first differ. */
function aroundChange(before: string, after: string): [string, string] {
    let common = 0;
    while (common < before.length && common < after.length && before[common] === after[common]) {
        common++;
    }
    const start = common <= contextBefore ? 0 : before.lastIndexOf(' ', common - contextBefore) + 1;
    const quote = (line: string) => `'${start > 0 ? '…' : ''}${clip(line.slice(start), snippetLength)}'`;
    return [quote(before), quote(after)];
}

function clip(text: string, length: number): string {
    return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** A spec string: double quotes become single ones, so the goal reads as written. */
function quoted(text: string): string {
    return JSON.stringify(text.replace(/"/g, "'"));
}

function commentSafe(text: string): string {
    return text.replace(/\*\//g, '* /');
}

/** What `fspec.drift.reconverge` answers: the build, as `fspec build --json` reports it, and the drifted files it rewrote. */
export interface ReconvergeResult {
    spec: string;
    version: string;
    out: string;
    /** The files that had drifted, now generated again (relative to `out`). */
    reconverged: string[];
    written: string[];
    removed: string[];
    /** Steps whose body was kept as edited by hand. */
    kept: string[];
}

/**
 * Re-converges the spec's app: builds it in place from the spec as the server has it (the open
 * editor's text), as `fspec build` does. Every generated file becomes what the spec says, bodies
 * edited by hand are kept; then the spec is validated again, so its drift diagnostics go.
 */
export async function reconverge(services: FspecServices, uri: unknown): Promise<ReconvergeResult> {
    if (typeof uri !== 'string') {
        throw new ResponseError(ErrorCodes.InvalidParams, `${FspecCommands.Reconverge} takes the spec's uri as its argument.`);
    }
    const parsed = URI.parse(uri);
    const { LangiumDocuments: documents, DocumentBuilder: builder, WorkspaceLock: lock } = services.shared.workspace;
    if (parsed.scheme !== 'file' || !documents.hasDocument(parsed)) {
        throw new ResponseError(ErrorCodes.InvalidParams, `The language server has no spec file ${uri}.`);
    }
    await builder.waitUntil(DocumentState.Validated, parsed);
    const document = documents.getDocument(parsed) as LangiumDocument<ast.Spec>;
    const spec = document.parseResult.value;
    const errors = (document.diagnostics ?? []).filter(d => d.severity === 1);
    if (!ast.isSpec(spec) || errors.length) {
        throw new ResponseError(ErrorCodes.InvalidRequest, `${path.basename(parsed.fsPath)} has errors; fix them before re-converging its app.`);
    }
    const specPath = parsed.fsPath;
    const graph = services.model.SpecGraphs.get(spec);
    const drifted = services.model.BuildDrift.check(specPath, graph)?.files.map(f => f.path) ?? [];
    const build = buildApp(graph, specPath);
    await lock.write(token => builder.update([parsed], [], token));
    await builder.waitUntil(DocumentState.Validated, parsed);
    const shown = path.relative(path.dirname(specPath), build.out).split(path.sep).join('/');
    // A notification (window/showMessage), not a request: every client shows it, none has to answer.
    void services.shared.lsp.Connection?.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Info,
        message: `Re-converged ${graph.name} ${graph.version} in ${shown}: ${drifted.length ? `regenerated ${drifted.join(', ')}` : 'nothing had drifted'}`
            + `${build.kept.length ? `; kept the bodies edited by hand of ${build.kept.join(', ')}` : ''}.`
    }).catch(() => undefined);
    return {
        spec: graph.name, version: graph.version, out: build.out, reconverged: drifted,
        written: build.written, removed: build.removed, kept: build.kept
    };
}
