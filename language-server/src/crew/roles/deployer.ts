import * as path from 'node:path';
import { URI } from 'langium';
import { runAcceptance, type AcceptanceReport } from '../../compiler/tester/index.js';
import type { FspecServices } from '../../fspec-module.js';
import { LineageRefusal } from '../../lineage/lineage-refusal.js';
import { SpecRepository } from '../../lineage/spec-repository.js';
import type { SandboxKind } from '../../sandbox/index.js';

/** How a deploy ended: the version marked deployed, or why not (the deployed version then stays as it was). */
export interface DeployResult {
    status: 'deployed' | 'failed' | 'refused';
    spec: string;
    /** The approved version deployed, or tried. */
    version?: string;
    /** The version deployed before, which stays deployed when this one fails. */
    previous?: string;
    message: string;
    tag?: string;
    /** The acceptance run that decided it. */
    report?: AcceptanceReport;
}

export interface DeployOptions {
    sandbox?: SandboxKind;
    today?: string;
}

/**
 * The Deployer: builds the app of the spec's approved version into `.factory/build/<version>/`,
 * runs its acceptance tests in the sandbox on the stored records, and only when every test passes
 * marks the version deployed in the lineage (tag `fspec/<Spec>/deployed/v<version>`). A failed
 * deploy marks nothing: the version deployed before stays the deployed one.
 */
export async function deployApprovedVersion(services: FspecServices, specPath: string, text: string, options: DeployOptions = {}): Promise<DeployResult> {
    const spec = await services.model.DetachedSpecs.load(text, URI.file(path.resolve(specPath)));
    const name = spec.graph?.name ?? path.basename(specPath);
    if (!spec.graph) {
        return { status: 'refused', spec: name, message: `${path.basename(specPath)} does not parse (${spec.problem}); fix it before deploying.` };
    }
    const opened = await SpecRepository.open(specPath);
    if (opened.kind !== 'repository') {
        return { status: 'refused', spec: name, message: opened.kind === 'git-missing' ? opened.message : `${opened.folder} is not in a git repository, so ${name} has no approved version to deploy.` };
    }
    const { repository } = opened;
    const [approved, deployed] = await Promise.all([repository.approvedText(name, specPath), repository.deployed(name)]);
    const previous = deployed ? { previous: deployed.version } : {};
    if (!approved) {
        return { status: 'refused', spec: name, ...previous, message: `${name} has no approved version in git yet: grow it and approve the growth, then deploy.` };
    }
    if (deployed?.version === approved.version) {
        return { status: 'refused', spec: name, version: approved.version, ...previous, message: `${name} ${approved.version} is deployed already (tag ${deployed.tag}).` };
    }
    const report = await runAcceptance(services, specPath, approved.text, { ...options, write: true });
    const stays = deployed ? `${deployed.version} stays deployed` : 'nothing is deployed';
    if (!report.ok) {
        const why = report.errors?.length ? report.errors[0] : `${report.summary.failed} failed and ${report.summary.notGrown} not grown of ${report.summary.tests} acceptance tests`;
        return { status: 'failed', spec: name, version: approved.version, ...previous, report, message: `The deploy of ${name} ${approved.version} failed (${why}); ${stays}.` };
    }
    const summary = `${report.summary.passed} acceptance test${report.summary.passed === 1 ? '' : 's'} passed in the ${report.sandbox} sandbox on ${report.today}`;
    try {
        const { tag } = await repository.markDeployed(name, approved.version, `Deploy ${name} ${approved.version}: ${summary}\n\nBuilt into ${report.build.out}`);
        return { status: 'deployed', spec: name, version: approved.version, ...previous, tag, report, message: `${name} ${approved.version} is deployed: ${summary}; tag ${tag}.` };
    } catch (error) {
        if (error instanceof LineageRefusal) {
            return { status: 'refused', spec: name, version: approved.version, ...previous, report, message: error.message };
        }
        throw error;
    }
}
