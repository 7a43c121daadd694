import * as path from 'node:path';
import { URI } from 'langium';
import type { FspecServices } from '../fspec-module.js';
import { findRepositoryRoot } from '../lineage/repository-paths.js';
import { SpecRepository } from '../lineage/spec-repository.js';
import type { ApprovedVersion, ApprovedVersionStore } from '../model/approved-versions.js';
import { FileApprovedVersionStore } from './approved-versions.js';
import type { DetachedSpecs } from './detached-specs.js';

/**
 * Approved versions from the spec's git lineage: the spec file's text at the newest
 * `fspec/<SpecName>/v*` tag HEAD descends from. Without such a tag (or a repository, or git)
 * the `.factory/approved` files decide. It runs on every validation, so git runs only after
 * the refs that decide the answer change; otherwise a lookup costs a few stat calls.
 */
export class GitApprovedVersionStore implements ApprovedVersionStore {
    private readonly files: FileApprovedVersionStore;
    private readonly detached: DetachedSpecs;
    /** The repository at each root where `.git` was found; undefined when git cannot open it. */
    private readonly repositories = new Map<string, Promise<SpecRepository | undefined>>();
    /** The approved version of each spec file, with the refs stamp it was read at. */
    private readonly approved = new Map<string, { stamp: string, version: Promise<ApprovedVersion | undefined> }>();

    constructor(services: FspecServices) {
        this.files = new FileApprovedVersionStore(services);
        this.detached = services.model.DetachedSpecs;
    }

    async find(specName: string, documentUri: string): Promise<ApprovedVersion | undefined> {
        const uri = URI.parse(documentUri);
        // An approved file under .factory/approved has no baseline of its own; the file store says so.
        const fromGit = uri.scheme === 'file' && !isApprovedFile(uri.fsPath) ? await this.fromGit(specName, uri.fsPath) : undefined;
        return fromGit ?? this.files.find(specName, documentUri);
    }

    private async fromGit(specName: string, specPath: string): Promise<ApprovedVersion | undefined> {
        const root = await findRepositoryRoot(path.dirname(specPath));
        const repository = root === undefined ? undefined : await this.repositoryAt(root, specPath);
        if (!repository) {
            return undefined;
        }
        const key = `${repository.root}\0${specName}\0${specPath}`;
        const stamp = await repository.refsStamp(specName);
        const cached = this.approved.get(key);
        if (cached?.stamp === stamp) {
            return cached.version;
        }
        const version = this.load(repository, specName, specPath);
        this.approved.set(key, { stamp, version });
        return version;
    }

    private repositoryAt(root: string, specPath: string): Promise<SpecRepository | undefined> {
        let repository = this.repositories.get(root);
        if (!repository) {
            // No git, or a repository git refuses (such as one owned by another user): the files decide.
            repository = SpecRepository.open(specPath).then(opened => opened.kind === 'repository' ? opened.repository : undefined, () => undefined);
            this.repositories.set(root, repository);
        }
        return repository;
    }

    private async load(repository: SpecRepository, specName: string, specPath: string): Promise<ApprovedVersion | undefined> {
        // Validation must not fail because git did: without the lineage, the files decide.
        const approved = await repository.approvedText(specName, specPath).catch(() => undefined);
        if (!approved) {
            return undefined;
        }
        const location = `git tag ${approved.tag} (${approved.path})`;
        // Its own scheme, so the approved text never passes for the workspace file it came from.
        const uri = URI.from({ scheme: 'fspec-lineage', path: URI.file(specPath).path, query: approved.tag });
        const { graph, problem } = await this.detached.load(approved.text, uri);
        return graph ? { location, graph } : { location, problem: `the approved version does not parse (${problem})` };
    }
}

function isApprovedFile(file: string): boolean {
    return path.basename(path.dirname(file)) === 'approved' && path.basename(path.dirname(path.dirname(file))) === '.factory';
}
