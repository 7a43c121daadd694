import * as path from 'node:path';
import { AstUtils, URI, type ValidationAcceptor } from 'langium';
import type { DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { DriftDetector, DriftedFile } from '../compiler/drift.js';
import * as ast from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import { elementId } from '../model/spec-graph.js';
import { namedElements } from './fspec-scope-computation.js';
import { IssueCodes } from './fspec-validator.js';
import type { SpecGraphCache } from './spec-graph-cache.js';

/** What a `drift` diagnostic carries for its quick fixes (see lsp/drift-actions.ts). */
export interface DriftData {
    code: typeof IssueCodes.Drift;
    /** The drifted file, relative to the build folder. */
    file: string;
    change: DriftedFile['change'];
    /** The build folder. */
    out: string;
}

/**
 * Drift of the spec's built app: a warning per generated file edited outside its marked bodies (or
 * deleted), on the name of the element that owns the file. The detection is compiler/drift.ts.
 */
export class FspecDriftValidator {
    private readonly drift: DriftDetector;
    private readonly graphs: SpecGraphCache;

    constructor(services: FspecServices) {
        this.drift = services.model.BuildDrift;
        this.graphs = services.model.SpecGraphs;
    }

    checkDrift(spec: ast.Spec, accept: ValidationAcceptor): void {
        const document = AstUtils.getDocument(spec);
        if (document.uri.scheme !== 'file' || !spec.version) {
            return;
        }
        const specPath = document.uri.fsPath;
        const report = this.drift.check(specPath, this.graphs.get(spec));
        if (!report?.files.length) {
            return;
        }
        const elements = new Map<string, ast.Element>();
        for (const [element] of namedElements(spec)) {
            elements.set(elementId(element), element);
        }
        for (const file of report.files) {
            const owner = file.owner === undefined ? undefined : elements.get(file.owner);
            const shown = path.relative(path.dirname(specPath), path.join(report.out, file.path)).split(path.sep).join('/');
            const relatedInformation: DiagnosticRelatedInformation[] = file.change === 'deleted' ? [] : [{
                location: { uri: URI.file(path.join(report.out, file.path)).toString(), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
                message: 'the generated file'
            }];
            const data: DriftData = { code: IssueCodes.Drift, file: file.path, change: file.change, out: report.out };
            accept('warning', driftMessage(shown, file, owner ? undefined : file.owner), {
                node: owner ?? spec, property: 'name', code: IssueCodes.Drift, data, relatedInformation
            });
        }
    }
}

function driftMessage(shown: string, file: DriftedFile, missingOwner: string | undefined): string {
    const what = file.change === 'deleted' ? 'was deleted'
        : file.hasBodies ? 'was edited outside its marked body' : 'was edited by hand';
    const gone = missingOwner ? ` Its ${missingOwner.replace(':', ' ')} is no longer in the spec.` : '';
    const proposal = file.change === 'deleted' ? 'the deletion' : 'the edit';
    return `${shown} ${what} (generated code drifted from the spec): re-converge or propose ${proposal} as a morph.${gone}`;
}
