import type { ApprovedTag } from './git-output.js';
import { SpecRepository } from './spec-repository.js';

/** A version of a spec the Historian recorded: its tag and commit. */
export type RecordedVersion = Omit<ApprovedTag, 'message'>;

/** The spec's versions recorded in git, newest first; none when the spec is not in a repository or git is missing. */
export async function recordedVersions(specName: string, specPath: string): Promise<RecordedVersion[]> {
    const opened = await SpecRepository.open(specPath);
    if (opened.kind !== 'repository') {
        return [];
    }
    return (await opened.repository.versions(specName)).map(({ message: _message, ...version }) => version);
}
