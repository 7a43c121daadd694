/** What the lineage records and reports: growths, rollbacks, approved texts, variants, deployments. */

/** One approved growth of a spec, to record with `recordGrowth`. */
export interface Growth {
    specPath: string;
    specName: string;
    /** The version the spec header now says, such as `0.3.0` or `0.2.0-a`; it names the tag. */
    version: string;
    /** The lineage stage the spec is at after this growth. */
    stage?: string;
    /** The Historian's message; its first line is the commit's subject. */
    message: string;
    /** Applied morphs as written in the lineage section: `add_source contracts_feed`. */
    morphs: string[];
    /** Files and folders committed along with the spec (a folder with whatever changed in it). */
    files: string[];
}

/** A rollback to record with `recordRollback`: the spec and every file it restored, changed or deleted. */
export interface Rollback {
    specPath: string;
    specName: string;
    /** The version rolled back from, and the approved version restored. */
    from: string;
    to: string;
    /** The lineage stage of the restored version. */
    stage?: string;
    message: string;
    files: string[];
}

/** The spec's text at its latest approved version. */
export interface ApprovedText {
    tag: string;
    version: string;
    /** The spec file relative to the repository root, `/`-separated. */
    path: string;
    text: string;
}

/** A variant branch of the spec. */
export interface Variant {
    name: string;
    branch: string;
    /** Whether HEAD is on it: growths are then recorded as the variant's versions. */
    current: boolean;
}

/** A version marked deployed: its acceptance tests passed in a sandbox. */
export interface Deployment {
    version: string;
    /** `fspec/<SpecName>/deployed/v<version>` */
    tag: string;
    commit: string;
}
