import * as path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { LineageRefusal } from './lineage-refusal.js';
import { realPathOf } from './repository-paths.js';

/** Who commits and tags when git has no identity configured (a fresh machine, CI). */
const crewIdentity = { 'user.name': 'Factory crew', 'user.email': 'crew@factory.local' };

/** One opened repository's git: the questions the lineage's reads and records both ask. */
export class RepositoryGit {
    constructor(
        private readonly git: SimpleGit,
        /** The work tree's root, a real path. */
        readonly root: string,
        /** This work tree's git folder: HEAD and unfinished operations. */
        readonly gitDir: string,
        /** The folder shared by all work trees: refs and packed-refs. */
        readonly commonDir: string
    ) {}

    raw(args: string[]): Promise<string> {
        return this.git.raw(args);
    }

    async headCommit(): Promise<string | undefined> {
        return (await this.raw(['rev-parse', '--quiet', '--verify', 'HEAD^{commit}'])).trim() || undefined;
    }

    /** The branch HEAD is on (`refs/heads/main`); undefined when HEAD is detached. */
    async headBranch(): Promise<string | undefined> {
        return (await this.raw(['symbolic-ref', '--quiet', 'HEAD'])).trim() || undefined;
    }

    async refExists(ref: string): Promise<boolean> {
        return (await this.raw(['rev-parse', '--quiet', '--verify', ref])).trim() !== '';
    }

    /** The text of `file` (root-relative) in `revision`; undefined when it has no such file. */
    async blobAt(revision: string, file: string): Promise<string | undefined> {
        const blob = (await this.raw(['rev-parse', '--quiet', '--verify', `${revision}:${file}`])).trim();
        return blob ? this.raw(['cat-file', 'blob', blob]) : undefined;
    }

    /** `-c` options naming the crew for whichever of user.name and user.email git has no value for. */
    async identity(): Promise<string[]> {
        const configured = await this.raw(['config', '--get-regexp', '^user\\.(name|email)$']);
        return Object.entries(crewIdentity)
            .filter(([key]) => !configured.split('\n').some(line => line.startsWith(`${key} `)))
            .flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    }

    /** `file` relative to the root with `/` separators, as git names it in trees; refuses a file outside the work tree. */
    async repoPath(file: string): Promise<string> {
        const relative = path.relative(this.root, await realPathOf(file));
        const parts = relative.split(path.sep);
        if (relative === '' || parts[0] === '..' || parts[0] === '.git' || path.isAbsolute(relative)) {
            throw new LineageRefusal('outside-repository', `${file} is not in the repository at ${this.root}.`);
        }
        return parts.join('/');
    }
}
