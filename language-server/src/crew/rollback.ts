import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { bodiesFolder } from '../compiler/authored-bodies.js';
import type { FspecServices } from '../fspec-module.js';
import { replaceFiles, type FileChange } from '../lineage/atomic-write.js';
import { SpecRepository } from '../lineage/spec-repository.js';
import { compareVersions, versionTag } from '../lineage/versions.js';
import type { InverseOp } from '../model/record-migration-ops.js';
import { applyOps } from './migration-ops.js';
import { committedWithSpec } from './roles/historian.js';
import { currentTexts, type MigrationRecord } from './roles/migrator.js';
import { MigrationError, migrationsFolder, RecordStore, specRelative } from './stored-records.js';

/** Why a rollback was not made; nothing changed. */
export class RollbackRefusal extends Error {}

/** A rollback worked out and checked, ready to apply: every file it writes (or deletes, with no text). */
export interface RollbackPlan {
    specPath: string;
    spec: string;
    from: string;
    to: string;
    /** The restored version's lineage stage. */
    stage?: string;
    /** The migrations undone, newest first: their versions and inverse ops. */
    undone: Array<{ version: string, inverse: InverseOp[] }>;
    files: FileChange[];
}

/** A recorded rollback. */
export interface RolledBack {
    spec: string;
    from: string;
    to: string;
    commit: string;
    tag: string;
    /** Versions whose migrations were undone, newest first. */
    undone: string[];
    /** The files it changed or deleted, relative to the spec's folder. */
    files: string[];
    message: string;
}

/**
 * Works out the rollback of the spec at `specPath` to its approved version `to`: the spec text of
 * that version's tag (also for the `.factory/approved` copy, when the folder keeps one), the stored
 * records with the inverse of every migration newer than `to` applied, newest first, the
 * migration records of those versions deleted, and the step bodies (`.factory/bodies/`) as they
 * were then: changed ones restored, those added since deleted. Refuses, changing nothing, when git or the
 * repository is missing, `to` has no tag (or is not older, not on this branch, or rolled back
 * itself), the files it would commit have uncommitted changes, or a migration cannot be undone.
 */
export async function planRollback(services: FspecServices, specPath: string, to: string): Promise<RollbackPlan> {
    const spec = path.resolve(specPath);
    const current = (await services.model.DetachedSpecs.load(fs.readFileSync(spec, 'utf8'), URI.file(spec))).graph;
    if (!current?.name) {
        throw new RollbackRefusal(`${path.basename(spec)} does not parse as a spec, so its name and version are unknown; restore it with git first.`);
    }
    const { name, version: from } = current;
    const repository = await repositoryOf(spec);
    const version = (await repository.versions(name)).find(v => v.version === to);
    if (!version) {
        throw new RollbackRefusal(`${name} has no approved version ${to} (no tag ${versionTag(name, to)}); \`fspec lineage ${path.basename(spec)}\` lists the recorded versions.`);
    }
    if (compareVersions(to, from) >= 0) {
        throw new RollbackRefusal(`${name} is at ${from}: a rollback goes back to an older approved version, and ${to} is not older.`);
    }
    if (!version.reachable || version.rolledBack) {
        throw new RollbackRefusal(`${name} ${to} is ${version.rolledBack ? 'itself rolled back' : 'on another branch'}: roll back only to a version in the history of the checked-out branch.`);
    }
    const approvedCopy = path.join(path.dirname(spec), '.factory', 'approved', `${name}.fspec`);
    // What a growth commits besides the spec and its approved copy (records, bodies), and the migration records.
    const committed = [spec, approvedCopy, ...committedWithSpec(spec), migrationsFolder(spec)].filter(file => fs.existsSync(file));
    const dirty = await repository.dirtyFiles(committed);
    if (dirty.length) {
        throw new RollbackRefusal(`Commit or discard the changes to ${dirty.map(d => specRelative(spec, d.path)).join(', ')} first: the rollback commits these files.`);
    }
    const restored = await repository.fileAt(name, to, spec);
    if (restored === undefined) {
        throw new RollbackRefusal(`${specRelative(spec, spec)} is not in ${name} ${to} (tag ${version.tag}), so there is no text to restore.`);
    }
    const undone = migrationsSince(spec, name, to);
    const store = new RecordStore(spec);
    for (const migration of undone) {
        try {
            applyOps(store, migration.inverse);
        } catch (error) {
            throw error instanceof MigrationError ? new RollbackRefusal(`The migration to ${migration.to} cannot be undone: ${error.message}`) : error;
        }
    }
    const { graph: restoredGraph } = await services.model.DetachedSpecs.load(restored, URI.file(spec));
    const plan = { specPath: spec, spec: name, from, to, stage: restoredGraph?.stage, undone: undone.map(m => ({ version: m.to, inverse: m.inverse })) };
    const files: FileChange[] = [
        { file: spec, text: restored },
        ...fs.existsSync(approvedCopy) ? [{ file: approvedCopy, text: restored }] : [],
        ...store.changes(),
        ...undone.map(m => ({ file: m.file, text: undefined })),
        ...await bodiesAt(repository, name, to, spec)
    ];
    const record = { spec: name, from, to, undone: plan.undone.map(u => u.version), files: files.map(f => specRelative(spec, f.file)) };
    files.push({ file: path.join(migrationsFolder(spec), `rollback-${from}-to-${to}.json`), text: `${JSON.stringify(record, null, 2)}\n` });
    return { ...plan, files };
}

/**
 * Writes the plan's files, then records them as one commit tagged `fspec/<Spec>/rollback-<from>-to-<to>`,
 * after which `to` is the approved baseline again. When git refuses, every file is put back.
 */
export async function applyRollback(plan: RollbackPlan): Promise<RolledBack> {
    const repository = await repositoryOf(plan.specPath);
    const before = currentTexts(plan.files);
    await replaceFiles(plan.files);
    try {
        const { commit, tag } = await repository.recordRollback({
            specPath: plan.specPath, specName: plan.spec, from: plan.from, to: plan.to, stage: plan.stage,
            message: `Roll back ${plan.spec} from ${plan.from} to ${plan.to}`, files: plan.files.map(f => f.file)
        });
        return {
            spec: plan.spec, from: plan.from, to: plan.to, commit, tag, undone: plan.undone.map(u => u.version),
            files: plan.files.map(f => specRelative(plan.specPath, f.file)),
            message: `${plan.spec} rolled back from ${plan.from} to ${plan.to}: commit ${commit.slice(0, 7)}, tag ${tag}.`
        };
    } catch (error) {
        await replaceFiles(before);
        throw new RollbackRefusal(`The rollback was not recorded, so every file was put back: ${error instanceof Error ? error.message : String(error)}`);
    }
}

async function repositoryOf(specPath: string): Promise<SpecRepository> {
    const opened = await SpecRepository.open(specPath);
    if (opened.kind === 'repository') {
        return opened.repository;
    }
    throw new RollbackRefusal(opened.kind === 'git-missing' ? opened.message
        : `${opened.folder} is not in a git repository, so ${path.basename(specPath)} has no recorded versions to roll back to.`);
}

/** The changes that make `.factory/bodies/` as it was at version `to`: its files then, with their texts, and those added since, deleted. */
async function bodiesAt(repository: SpecRepository, name: string, to: string, spec: string): Promise<FileChange[]> {
    const folder = bodiesFolder(spec);
    const then = await repository.filesAt(name, to, folder);
    const now = fs.existsSync(folder)
        ? (fs.readdirSync(folder, { recursive: true }) as string[]).filter(file => fs.statSync(path.join(folder, file)).isFile()).map(file => file.split(path.sep).join('/'))
        : [];
    const changes = [...then].map(([file, text]) => ({ file: path.join(folder, ...file.split('/')), text }))
        .filter(change => !fs.existsSync(change.file) || fs.readFileSync(change.file, 'utf8') !== change.text);
    return [...changes, ...now.filter(file => !then.has(file)).map(file => ({ file: path.join(folder, ...file.split('/')), text: undefined }))];
}

/** The spec's migration records newer than `version`, newest first, with their files. */
function migrationsSince(specPath: string, specName: string, version: string): Array<MigrationRecord & { file: string }> {
    const folder = migrationsFolder(specPath);
    const names = fs.existsSync(folder) ? fs.readdirSync(folder).filter(name => name.endsWith('.json') && !name.startsWith('rollback-')) : [];
    return names.map(name => {
        const file = path.join(folder, name);
        try {
            return { ...JSON.parse(fs.readFileSync(file, 'utf8')) as MigrationRecord, file };
        } catch (error) {
            throw new RollbackRefusal(`${specRelative(specPath, file)} is not a migration record (${(error as Error).message}).`);
        }
    }).filter(m => m.spec === specName && compareVersions(m.to, version) > 0).sort((a, b) => compareVersions(b.to, a.to));
}
