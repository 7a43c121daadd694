import { readRollbackListing, readTagListing, tagListingFormat, type ApprovedTag } from './git-output.js';
import type { RepositoryGit } from './repository-git.js';
import { compareVersions, rollbackTagPattern, versionOfTag, versionTagPattern } from './versions.js';

/** Reading a spec's approved versions from its tags: which HEAD descends from, which a rollback undid. */

/** All approved versions of the spec, newest first; `reachable` tells those HEAD descends from. */
export async function versionTags(git: RepositoryGit, specName: string): Promise<ApprovedTag[]> {
    const listing = await git.raw(['for-each-ref', tagListingFormat, `refs/tags/${versionTagPattern(specName)}`]);
    return readTagListing(specName, listing, new Set(await reachableTags(git, specName)), await rolledBackTags(git, specName));
}

/** The newest approved version HEAD descends from that no rollback went back past. */
export async function approvedTag(git: RepositoryGit, specName: string): Promise<{ tag: string, version: string } | undefined> {
    const rolledBack = await rolledBackTags(git, specName);
    return (await reachableTags(git, specName))
        .filter(tag => !rolledBack.has(tag))
        .map(tag => ({ tag, version: versionOfTag(specName, tag)! }))
        .sort((a, b) => compareVersions(b.version, a.version))[0];
}

/** The spec's version tags HEAD descends from; none while HEAD has no commit. */
async function reachableTags(git: RepositoryGit, specName: string): Promise<string[]> {
    if (!(await git.headCommit())) {
        return [];
    }
    const tags = await git.raw(['tag', '--list', '--merged', 'HEAD', versionTagPattern(specName)]);
    return tags.split('\n').filter(tag => versionOfTag(specName, tag) !== undefined);
}

/** Version tags a rollback HEAD descends from went back past: newer than the version it restored, and in its history. */
export async function rolledBackTags(git: RepositoryGit, specName: string): Promise<Set<string>> {
    if (!(await git.headCommit())) {
        return new Set();
    }
    const rollbacks = readRollbackListing(await git.raw(['for-each-ref', '--merged', 'HEAD', tagListingFormat, rollbackTagPattern(specName)]));
    const undone = new Set<string>();
    for (const rollback of rollbacks) {
        const tags = await git.raw(['tag', '--list', '--merged', rollback.tag, versionTagPattern(specName)]);
        for (const tag of tags.split('\n')) {
            const version = versionOfTag(specName, tag);
            if (version && compareVersions(version, rollback.to) > 0) {
                undone.add(tag);
            }
        }
    }
    return undone;
}
