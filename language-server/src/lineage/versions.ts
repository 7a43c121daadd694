/**
 * Names of a spec's lineage in git: each approved version is the tag `fspec/<SpecName>/v<version>`,
 * each variant the branch `fspec/<SpecName>/<variant>`.
 */

/** A version the lineage can tag: numbers separated by dots, then an optional `-suffix` naming a variant (`0.2.0-a`). */
const versionPattern = /^\d+(?:\.\d+)*(?:-\w+(?:[.-]\w+)*)?$/;

/** A variant's name: an fspec name, so it can end a version (`1.2.0-coastal`) and a branch. */
const variantPattern = /^[A-Za-z]\w*$/;

export function isTaggableVersion(version: string): boolean {
    return versionPattern.test(version);
}

export function versionTag(specName: string, version: string): string {
    return `fspec/${specName}/v${version}`;
}

/** The tag marking a version deployed: `fspec/<SpecName>/deployed/v<version>` (on the version's commit). */
export function deployedTag(specName: string, version: string): string {
    return `fspec/${specName}/deployed/v${version}`;
}

/** A `git for-each-ref` pattern matching the spec's deployed tags. */
export function deployedTagPattern(specName: string): string {
    return `${deployedTag(specName, '')}*`;
}

/** The version a deployed tag marks; undefined for any other tag. */
export function versionOfDeployedTag(specName: string, tag: string): string | undefined {
    const version = after(deployedTag(specName, ''), tag);
    return isTaggableVersion(version) ? version : undefined;
}

/**
 * The tag recording a rollback: `fspec/<SpecName>/rollback-<from>-to-<to>`. It is not a version
 * tag (no `v`), so versions and their order are untouched; its message says what it restored.
 */
export function rollbackTag(specName: string, from: string, to: string): string {
    return `fspec/${specName}/rollback-${from}-to-${to}`;
}

/** A `git for-each-ref` pattern matching the spec's rollback tags. */
export function rollbackTagPattern(specName: string): string {
    return `refs/tags/fspec/${specName}/rollback-*`;
}

export function isVariantName(name: string): boolean {
    return variantPattern.test(name);
}

export function variantBranch(specName: string, variant: string): string {
    return `fspec/${specName}/${variant}`;
}

/** The variant a branch ref (`refs/heads/fspec/FarmOps/coastal`) is of this spec; undefined for any other branch. */
export function variantOfBranch(specName: string, ref: string): string | undefined {
    const variant = after(`refs/heads/${variantBranch(specName, '')}`, ref);
    return isVariantName(variant) ? variant : undefined;
}

/** A `git tag --list` pattern matching the spec's version tags. */
export function versionTagPattern(specName: string): string {
    return `${versionTag(specName, '')}*`;
}

/** The version a tag approves; undefined for a tag that is not a version of this spec. */
export function versionOfTag(specName: string, tag: string): string | undefined {
    const version = after(versionTag(specName, ''), tag);
    return isTaggableVersion(version) ? version : undefined;
}

/** What follows `prefix` in `name`; empty when `name` does not start with it. */
function after(prefix: string, name: string): string {
    return name.startsWith(prefix) ? name.slice(prefix.length) : '';
}

/**
 * Orders versions numerically, component by component: 0.10.0 comes after 0.9.0, and 1.2 equals 1.2.0.
 * Unlike semver, a suffix is not a pre-release but a variant grown from that version, so
 * 0.2.0 < 0.2.0-a < 0.2.0-b < 0.2.1. Suffix parts compare numerically when both are numbers.
 */
export function compareVersions(a: string, b: string): number {
    const [coreA, suffixA] = splitSuffix(a);
    const [coreB, suffixB] = splitSuffix(b);
    return compareParts(coreA.split('.'), coreB.split('.'), '0')
        || Number(suffixA !== undefined) - Number(suffixB !== undefined)
        || compareParts((suffixA ?? '').split(/[.-]/), (suffixB ?? '').split(/[.-]/), '');
}

function splitSuffix(version: string): [string, string | undefined] {
    const dash = version.indexOf('-');
    return dash < 0 ? [version, undefined] : [version.slice(0, dash), version.slice(dash + 1)];
}

/** Compares part lists pairwise; the shorter list is padded with `missing`. */
function compareParts(a: string[], b: string[], missing: string): number {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const order = comparePart(a[i] ?? missing, b[i] ?? missing);
        if (order !== 0) {
            return order;
        }
    }
    return 0;
}

function comparePart(a: string, b: string): number {
    const numeric = /^\d+$/;
    if (numeric.test(a) && numeric.test(b)) {
        return Number(a) - Number(b);
    }
    return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `0.2.0` → `0.3.0`; a growth is a minor evolve (identity changes are refused by Safety, not
 * versioned here). A variant's versions carry its name: `0.2.0` → `0.3.0-coastal` → `0.4.0-coastal`.
 */
export function nextMinorVersion(version: string, taken: ReadonlySet<string> = new Set(), variant?: string): string {
    const match = /^(v?)(\d+)(?:\.(\d+))?/.exec(version.trim());
    if (!match) {
        return `${version}.1`;
    }
    const suffix = variant ? `-${variant}` : '';
    // A version already recorded (say, grown and later rolled back) is never reused.
    let minor = Number(match[3] ?? 0) + 1;
    while (taken.has(`${match[2]}.${minor}.0${suffix}`)) {
        minor++;
    }
    return `${match[1]}${match[2]}.${minor}.0${suffix}`;
}
