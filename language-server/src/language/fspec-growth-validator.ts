import { AstUtils, type AstNode, type ValidationAcceptor } from 'langium';
import * as ast from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';
import type { ApprovedVersionStore } from '../model/approved-versions.js';
import { graphIndex } from '../model/graph-index.js';
import { judgeGrowth } from '../model/growth-rules.js';
import { isMorphKind, morphKinds, type Morph } from '../model/morphs.js';
import { closestName } from '../model/names.js';
import { IssueCodes } from './fspec-validator.js';
import type { SpecGraphCache } from './spec-graph-cache.js';

/**
 * The developmental spec: morph kinds, plates, rules and lineage within the file, and the identity
 * invariants and morph rules against the last approved version.
 */
export class FspecGrowthValidator {
    private readonly approvedVersions: ApprovedVersionStore;
    private readonly graphs: SpecGraphCache;

    constructor(services: FspecServices) {
        this.approvedVersions = services.model.ApprovedVersions;
        this.graphs = services.model.SpecGraphs;
    }

    /** Identity invariants and morph rules against the last approved version: one implementation, in model/growth-rules. */
    async checkAgainstApproved(spec: ast.Spec, accept: ValidationAcceptor): Promise<void> {
        const document = AstUtils.getDocument(spec);
        // A half-parsed spec would diff as a mass removal: compare only complete texts.
        if (document.parseResult.lexerErrors.length || document.parseResult.parserErrors.length) {
            return;
        }
        const approved = await this.approvedVersions.find(spec.name, document.uri.toString());
        if (!approved) {
            return;
        }
        if (!approved.graph) {
            accept('warning', `Cross-version checks skipped: ${approved.problem} (${approved.location}).`,
                { node: spec, property: 'name', code: IssueCodes.ApprovedVersionUnreadable });
            return;
        }
        const current = this.graphs.get(spec);
        const { findings } = judgeGrowth(approved.graph, current);
        for (const finding of findings) {
            accept('error', finding.message, {
                node: spec, property: finding.range ? undefined : 'name', range: finding.range, code: finding.code,
                data: { morph: finding.morph.kind, target: finding.morph.target, subject: finding.subject, at: plateLocation(finding.morph) }
            });
        }
    }

    checkProhibition(prohibition: ast.Prohibition, accept: ValidationAcceptor): void {
        if (prohibition.morph !== undefined) {
            this.checkMorphKind(prohibition.morph, accept, { node: prohibition, property: 'morph' });
        }
    }

    checkPlate(plate: ast.Plate, accept: ValidationAcceptor): void {
        const { nodes } = graphIndex(this.graphs.of(plate));
        plate.accepts.forEach((kind, index) => {
            if (!this.checkMorphKind(kind, accept, { node: plate, property: 'accepts', index })) {
                return;
            }
            if (!nodes.has(`rule:${kind}`)) {
                accept('warning', `Plate '${plate.name}' accepts ${kind}, but no morph rule '${kind}' says its risk and required tests.`,
                    { node: plate, property: 'accepts', index, code: IssueCodes.PlateWithoutRule });
            }
        });
    }

    checkMorphRule(rule: ast.MorphRule, accept: ValidationAcceptor): void {
        this.checkMorphKind(rule.name, accept, { node: rule, property: 'name' });
        if (rule.risk !== 'high') {
            return;
        }
        if (rule.requires.length === 0) {
            accept('error', `High-risk morph rule '${rule.name}' must require at least one acceptance test.`, { node: rule, property: 'risk', code: IssueCodes.HighRiskWithoutTest });
        }
        if (rule.reviews[0] !== 'human') {
            accept('error', `High-risk morph rule '${rule.name}' must have \`review human\`.`, { node: rule, property: 'risk', code: IssueCodes.HighRiskWithoutReview });
        }
    }

    checkLineageEntry(entry: ast.LineageEntry, accept: ValidationAcceptor): void {
        entry.morphs.forEach(morph => this.checkMorphKind(morph.kind, accept, { node: morph, property: 'kind' }));
        // Reported on each entry of the loop; entries that only lead into it are not at fault.
        const visited = new Set<ast.LineageEntry>();
        for (let ancestor = entry.parents[0]?.ref; ancestor && !visited.has(ancestor); ancestor = ancestor.parents[0]?.ref) {
            if (ancestor === entry) {
                const through = entry.parents[0]?.ref?.name;
                accept('error', `Lineage of '${entry.name}' loops back on itself through '${through}'.`, { node: entry, property: 'parents', index: 0, code: IssueCodes.LineageCycle });
                return;
            }
            visited.add(ancestor);
        }
    }

    private checkMorphKind<N extends AstNode>(name: string | undefined, accept: ValidationAcceptor, where: { node: N, property: string, index?: number }): boolean {
        if (name === undefined || isMorphKind(name)) {
            return true;
        }
        const suggestion = closestName(name, morphKinds);
        accept('error', `Unknown morph kind '${name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Known kinds are listed in docs/language.md.`,
            { ...where, code: IssueCodes.UnknownMorphKind } as Parameters<ValidationAcceptor>[2]);
        return false;
    }
}

/** Where a plate for this morph would go: the pipeline or entity around the change (not a newly added one itself), if any. */
function plateLocation(morph: Morph): string | undefined {
    const around = morph.change === 'add' ? morph.scope.slice(1) : morph.scope;
    const owner = around.find(id => id.startsWith('pipeline:') || id.startsWith('entity:'));
    return owner && owner.slice(owner.indexOf(':') + 1);
}
