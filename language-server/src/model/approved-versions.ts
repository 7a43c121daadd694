import type { SpecGraph } from './spec-graph.js';

/** The last approved version of a spec, the baseline of every cross-version check. */
export interface ApprovedVersion {
    /** Where it was found (a file path, or `git tag fspec/<Spec>/v<version> (<path>)`), for messages. */
    location: string;
    /** Its spec graph; absent when the approved text itself does not parse. */
    graph?: SpecGraph;
    /** Why the approved version could not be read as a spec. */
    problem?: string;
}

/** Finds the last approved version of a spec; the single seam between validation and wherever approvals are stored. */
export interface ApprovedVersionStore {
    find(specName: string, documentUri: string): Promise<ApprovedVersion | undefined>;
}
