import type { ApprovedTag } from './git-output.js';
import { SpecRepository, type Deployment, type Variant } from './spec-repository.js';

/** A version of a spec the Historian recorded: its tag and commit. */
export type RecordedVersion = Omit<ApprovedTag, 'message'>;

/** What git holds of a spec's lineage: its recorded versions, newest first, and its variant branches. */
export interface RecordedLineage {
    recorded: RecordedVersion[];
    variants: Variant[];
    /** The deployed version HEAD descends from, if any. */
    deployed?: Deployment;
}

/** The spec's versions recorded in git, newest first; none when the spec is not in a repository or git is missing. */
export async function recordedVersions(specName: string, specPath: string): Promise<RecordedVersion[]> {
    const opened = await SpecRepository.open(specPath);
    return opened.kind === 'repository' ? withoutMessages(await opened.repository.versions(specName)) : [];
}

/** The spec's recorded versions, variants and deployment; none when the spec is not in a repository or git is missing. */
export async function recordedLineage(specName: string, specPath: string): Promise<RecordedLineage> {
    const opened = await SpecRepository.open(specPath);
    if (opened.kind !== 'repository') {
        return { recorded: [], variants: [] };
    }
    const { repository } = opened;
    const [versions, variants, deployed] = await Promise.all([repository.versions(specName), repository.variants(specName), repository.deployed(specName)]);
    return { recorded: withoutMessages(versions), variants, ...(deployed ? { deployed } : {}) };
}

function withoutMessages(versions: ApprovedTag[]): RecordedVersion[] {
    return versions.map(({ message: _message, ...version }) => version);
}
