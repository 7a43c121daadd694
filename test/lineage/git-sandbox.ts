import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const examples = path.resolve(import.meta.dirname, '../../examples/farmer-contract-allocation');

/** FarmOps at version 0.2.0 (stage juvenile), and its approved file at 0.1.0 (stage seed). */
export const farmOps = fs.readFileSync(path.join(examples, 'farm-ops.fspec'), 'utf8');
export const farmOpsApproved = fs.readFileSync(path.join(examples, '.factory', 'approved', 'FarmOps.fspec'), 'utf8');

/** FarmOps with its header saying `version`. */
export function farmOpsAt(version: string): string {
    return farmOps.replace('version "0.2.0"', `version "${version}"`);
}

/**
 * Points HOME (and XDG_CONFIG_HOME) of this test file's process at an empty folder, so neither the
 * developer's nor CI's global git config applies and no user.name or user.email is configured.
 * simple-git strips GIT_* variables from the processes it starts, so GIT_CONFIG_GLOBAL would not reach them.
 */
export function withoutGlobalGitConfig(): void {
    const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    beforeAll(() => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-home-'));
        process.env.HOME = home;
        process.env.XDG_CONFIG_HOME = home;
    });
    afterAll(() => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = value;
            }
        }
    });
}

/** A fresh folder outside any repository. */
export function emptyFolder(): string {
    return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fspec-lineage-')));
}

/** A folder to test in, and git run directly in it to set up and to check what the lineage did. */
export class Sandbox {
    readonly folder = emptyFolder();

    /** Runs git; setup commits are made as a test user, never as the crew. */
    git(...args: string[]): string {
        return execFileSync('git', args, {
            cwd: this.folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
            env: {
                ...process.env, GIT_CONFIG_NOSYSTEM: '1',
                GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com'
            }
        });
    }

    /** A repository on branch `main` whose first commit holds `files` (relative path → text). */
    static withCommit(files: Record<string, string>): Sandbox {
        const sandbox = new Sandbox();
        sandbox.git('init', '--quiet', '--initial-branch=main');
        for (const [file, text] of Object.entries(files)) {
            sandbox.write(file, text);
        }
        sandbox.git('add', '--all');
        sandbox.git('commit', '--quiet', '-m', 'Start');
        return sandbox;
    }

    path(file: string): string {
        return path.join(this.folder, file);
    }

    write(file: string, text: string): void {
        fs.mkdirSync(path.dirname(this.path(file)), { recursive: true });
        fs.writeFileSync(this.path(file), text);
    }

    head(): string {
        return this.git('rev-parse', 'HEAD').trim();
    }

    /** `git status --porcelain` lines, such as ` M notes.md` or `A  staged.txt`. */
    status(): string[] {
        return this.git('status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).sort();
    }
}

/** Runs `action` with a PATH on which no git can be found. */
export async function withoutGitOnPath<T>(action: () => Promise<T>): Promise<T> {
    const saved = process.env.PATH;
    process.env.PATH = emptyFolder();
    try {
        return await action();
    } finally {
        process.env.PATH = saved;
    }
}
