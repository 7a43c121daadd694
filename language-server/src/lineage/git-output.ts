import * as path from 'node:path';
import { readGrowthMessage } from './growth-message.js';
import { compareVersions, versionOfTag } from './versions.js';

/** Readers of git's machine-readable output. */

/** An approved version: a `fspec/<SpecName>/v<version>` tag. */
export interface ApprovedTag {
    version: string;
    tag: string;
    commit: string;
    /** When it was tagged, ISO 8601. */
    date: string;
    message: string;
    stage?: string;
    morphs: string[];
    /** Whether HEAD descends from it; false for a version grown on another branch, such as a variant. */
    reachable: boolean;
    /** Whether a rollback HEAD descends from went back past it: it is no longer the approved baseline. */
    rolledBack: boolean;
}

/** A recorded rollback: its tag, and the versions it left and restored. */
export interface RollbackTag {
    tag: string;
    from: string;
    to: string;
}

/** A path with changes git has not committed. */
export interface DirtyFile {
    path: string;
    staged: boolean;
    modified: boolean;
    untracked: boolean;
}

/** An index entry as `git ls-files --stage` shows it. */
export interface IndexEntry {
    mode: string;
    object: string;
    path: string;
}

/** `git for-each-ref --format` for `readTagListing`: fields end with US, records with RS, as messages have newlines. */
export const tagListingFormat = `--format=${['refname:lstrip=2', 'objectname', '*objectname', 'creatordate:iso-strict', 'contents']
    .map(field => `%(${field})`).join('%1f')}%1e`;

/** The spec's versions among the listed tags, newest first. */
export function readTagListing(specName: string, listing: string, reachable: ReadonlySet<string>, rolledBack: ReadonlySet<string>): ApprovedTag[] {
    return listedTags(listing).flatMap(([tag = '', object = '', peeled = '', date = '', contents = '']) => {
        const version = versionOfTag(specName, tag);
        // An annotated tag peels to its commit; a lightweight tag is the commit.
        return version ? [{ version, tag, commit: peeled || object, date, ...readGrowthMessage(contents), reachable: reachable.has(tag), rolledBack: rolledBack.has(tag) }] : [];
    }).sort((a, b) => compareVersions(b.version, a.version));
}

/** The rollbacks among the listed tags: those whose message says what they restored. */
export function readRollbackListing(listing: string): RollbackTag[] {
    return listedTags(listing).flatMap(([tag = '', , , , contents = '']) => {
        const { rollback } = readGrowthMessage(contents);
        return rollback ? [{ tag, ...rollback }] : [];
    });
}

function listedTags(listing: string): string[][] {
    return listing.split('\x1e').map(record => record.replace(/^\n/, '').split('\x1f'));
}

/** `git status --porcelain=v1 -z` output, with paths made absolute under `root`. */
export function readStatus(root: string, output: string): DirtyFile[] {
    const entries = output.split('\0');
    const dirty: DirtyFile[] = [];
    for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        if (entry.length < 4) {
            continue;
        }
        const [x, y] = entry;
        const untracked = x === '?';
        dirty.push({ path: path.join(root, entry.slice(3)), staged: !untracked && x !== ' ', modified: !untracked && y !== ' ', untracked });
        // A staged rename or copy is followed by the path it came from.
        if (x === 'R' || x === 'C') {
            i++;
        }
    }
    return dirty;
}

/** `git ls-files --stage -z` output. */
export function readIndexEntries(output: string): IndexEntry[] {
    return output.split('\0').filter(Boolean).map(entry => {
        const [, mode = '', object = '', file = ''] = /^(\d+) (\w+) \d\t(.*)$/s.exec(entry) ?? [];
        return { mode, object, path: file };
    });
}
