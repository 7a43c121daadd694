import type { AcceptanceReport } from '../compiler/tester/report.js';
import type { CrewEnvironment } from './crew-handlers.js';
import { CrewValues } from './crew-state.js';
import type { HandlerRegistry } from './engine/index.js';
import { deployApprovedVersion, type DeployResult } from './roles/deployer.js';

/**
 * The Deployer's answer as the crew keeps it (`crew.deployment`, and a grown GrowthResult's
 * `deployment`): the DeployResult without its acceptance report, which can be big while the run
 * context is checkpointed after every step; the report's counts stay.
 */
export interface CrewDeployment extends Omit<DeployResult, 'report'> {
    /** The acceptance run's counts, when the tests ran. */
    summary?: AcceptanceReport['summary'];
    /** Why the version was not deployed, in a few words (failed or refused). */
    reason?: string;
}

/**
 * `crew.release`: once the growth is recorded, the Deployer deploys the approved version it just
 * became (build, acceptance tests in the local sandbox, tag `fspec/<Spec>/deployed/v<version>`).
 * A deploy that fails or is refused does not fail the growth, which is approved and recorded: the
 * step succeeds with the outcome in `crew.deployment`, and the version deployed before stays
 * deployed. A resumed run that reaches it again is refused "deployed already" once the tag exists.
 */
export function registerReleaseHandler(registry: HandlerRegistry, env: CrewEnvironment): void {
    registry.register('crew.release', async (_node, context) => {
        const crew = new CrewValues(context.snapshot());
        const specPath = crew.require('crew.spec_path');
        let deployment: CrewDeployment;
        try {
            deployment = crewDeployment(await deployApprovedVersion(env.services, specPath, crew.require('crew.after')));
        } catch (error) {
            // No sandbox for the app (no Node that strips types, say): the growth stands, undeployed.
            const reason = oneLine(error instanceof Error ? error.message : String(error));
            const name = crew.get('crew.spec_name') ?? 'The spec';
            deployment = { status: 'failed', spec: name, version: crew.get('crew.stage')?.version, reason, message: `The deploy of ${name} failed: ${reason}.` };
        }
        return { status: 'success', context_updates: { 'crew.deployment': deployment }, notes: deployment.message };
    });
}

/** The DeployResult without its report, with why it did not deploy. */
export function crewDeployment(result: DeployResult): CrewDeployment {
    const { report, ...rest } = result;
    const summary = report && !report.errors?.length ? { summary: report.summary } : {};
    if (result.status === 'deployed') {
        return { ...rest, ...summary };
    }
    const reason = result.status === 'failed' && report
        ? report.errors?.length ? report.errors[0] : `${report.summary.failed} failed and ${report.summary.notGrown} not grown of ${report.summary.tests} acceptance tests`
        : result.message;
    return { ...rest, ...summary, reason: oneLine(reason) };
}

/**
 * The deploy in one clause of a growth's message: `deployed 0.3.0 (3 acceptance tests passed)`,
 * `0.3.0 is deployed already`, or `not deployed: <why>, 0.2.0 stays deployed`.
 */
export function deploymentClause(deployment: CrewDeployment): string {
    if (deployment.status === 'deployed') {
        const passed = deployment.summary?.passed;
        return `deployed ${deployment.version}${passed === undefined ? '' : ` (${passed} acceptance test${passed === 1 ? '' : 's'} passed)`}`;
    }
    if (deployment.status === 'refused' && deployment.version !== undefined && deployment.previous === deployment.version) {
        return `${deployment.version} is deployed already`;
    }
    const stays = deployment.previous ? `${deployment.previous} stays deployed` : 'nothing is deployed';
    return `not deployed: ${deployment.reason ?? deployment.message}, ${stays}`;
}

function oneLine(text: string): string {
    return text.replace(/\s+/g, ' ').trim().replace(/[.;:]$/, '');
}
