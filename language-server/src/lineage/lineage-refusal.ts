/** Why the lineage refused a change; each refusal leaves the repository exactly as it was. */
export type RefusalReason =
    | 'git-missing'
    | 'already-a-repository'
    | 'outside-repository'
    | 'invalid-version'
    | 'tag-exists'
    | 'operation-in-progress'
    | 'detached-head'
    | 'unknown-version'
    | 'branch-exists'
    | 'invalid-variant'
    | 'checkout-refused'
    | 'not-a-repository';

/** A change the lineage would not make, with a message fit to show the user. */
export class LineageRefusal extends Error {
    constructor(readonly reason: RefusalReason, message: string) {
        super(message);
        this.name = 'LineageRefusal';
    }
}

export const gitMissingMessage =
    'git was not found: install git (https://git-scm.com/downloads) and make sure it is on the PATH to record the spec\'s lineage.';
