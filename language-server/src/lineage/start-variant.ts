import { LineageRefusal } from './lineage-refusal.js';
import { SpecRepository } from './spec-repository.js';
import { nextMinorVersion } from './versions.js';

/** A variant started: its branch is checked out at the version it grows from. */
export interface StartedVariant {
    spec: string;
    variant: string;
    branch: string;
    /** The approved version the variant starts at, and its commit. */
    from: string;
    commit: string;
    message: string;
}

/**
 * Starts the variant `name` of the spec at `specPath` (named `specName`) from an approved version,
 * the approved baseline by default. `fspec variant` and `fspec/startVariant` both come here.
 */
export async function startVariant(specName: string, specPath: string, name: string, from?: string): Promise<StartedVariant> {
    const opened = await SpecRepository.open(specPath);
    if (opened.kind === 'git-missing') {
        throw new LineageRefusal('git-missing', opened.message);
    }
    if (opened.kind === 'not-a-repository') {
        throw new LineageRefusal('not-a-repository', `${opened.folder} is not in a git repository: a variant is a branch of the spec's lineage, so grow and approve a version first.`);
    }
    const started = await opened.repository.startVariant(specName, name, from);
    const taken = new Set((await opened.repository.versions(specName)).map(v => v.version));
    return {
        spec: specName, variant: name, branch: started.branch, from: started.version, commit: started.commit,
        message: `Started the variant ${name} of ${specName} at ${started.version}: the branch ${started.branch} is checked out, so the growths that follow are its versions (next ${nextMinorVersion(started.version, taken, name)}).`
    };
}
