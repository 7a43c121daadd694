import type { ApprovedTag } from './git-output.js';
import { SpecRepository, type Variant } from './spec-repository.js';

/** A version of a spec the Historian recorded: its tag and commit. */
export type RecordedVersion = Omit<ApprovedTag, 'message'>;

/** What git holds of a spec's lineage: its recorded versions, newest first, and its variant branches. */
export interface RecordedLineage {
    recorded: RecordedVersion[];
    variants: Variant[];
}

/** The spec's versions recorded in git, newest first; none when the spec is not in a repository or git is missing. */
export async function recordedVersions(specName: string, specPath: string): Promise<RecordedVersion[]> {
    const opened = await SpecRepository.open(specPath);
    return opened.kind === 'repository' ? withoutMessages(await opened.repository.versions(specName)) : [];
}

/** The spec's recorded versions and variants; none when the spec is not in a repository or git is missing. */
export async function recordedLineage(specName: string, specPath: string): Promise<RecordedLineage> {
    const opened = await SpecRepository.open(specPath);
    if (opened.kind !== 'repository') {
        return { recorded: [], variants: [] };
    }
    const [versions, variants] = await Promise.all([opened.repository.versions(specName), opened.repository.variants(specName)]);
    return { recorded: withoutMessages(versions), variants };
}

function withoutMessages(versions: ApprovedTag[]): RecordedVersion[] {
    return versions.map(({ message: _message, ...version }) => version);
}
