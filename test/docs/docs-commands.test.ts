import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyOfProject, projectRoot } from '../project-copy.js';

/**
 * The commands README.md and docs/*.md show in a block marked runnable (```console runnable) run in
 * a fresh copy of the project (a git repository, as a clone is) and print what the docs show, so the
 * docs cannot drift from the tool. In a block, `$ command` lines are run in order (a `cd` carries to
 * the next command of the block; a trailing `# exit N` says the exit code, 0 otherwise) and the lines
 * up to the next command are its output, stdout and stderr as a terminal shows them. In expected output
 * `…` alone on a line stands for any lines (none included), and within a line for any text.
 */
const root = projectRoot;
const docs = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter(name => name.endsWith('.md')).map(name => `docs/${name}`)];

export interface DocCommand { line: number; command: string; exitCode: number; expected: string[] }
export interface DocBlock { file: string; line: number; commands: DocCommand[] }

/** The runnable blocks of a Markdown text, with each command and the output shown for it. */
export function runnableBlocks(file: string, text: string): DocBlock[] {
    const blocks: DocBlock[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        if (!/^```console runnable\s*$/.test(lines[i])) {
            continue;
        }
        const block: DocBlock = { file, line: i + 1, commands: [] };
        for (i++; i < lines.length && !lines[i].startsWith('```'); i++) {
            const command = /^\$ (.*?)(?:\s+# exit (\d+))?\s*$/.exec(lines[i]);
            if (command) {
                block.commands.push({ line: i + 1, command: command[1], exitCode: Number(command[2] ?? 0), expected: [] });
            } else if (block.commands.length) {
                block.commands.at(-1)!.expected.push(lines[i]);
            } else {
                throw new Error(`${file}:${i + 1}: a runnable block starts with a $ command`);
            }
        }
        for (const command of block.commands) {
            while (command.expected.at(-1)?.trim() === '') {
                command.expected.pop();
            }
        }
        blocks.push(block);
    }
    return blocks;
}

/** Whether `actual` lines are what `expected` shows, `…` standing for any lines or any text within a line. */
export function matchesShown(expected: readonly string[], actual: readonly string[]): boolean {
    const pattern = (line: string) => new RegExp(`^${line.split('…').map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const patterns = expected.map(line => line.trimEnd() === '…' ? undefined : pattern(line.trimEnd()));
    const memo = new Map<string, boolean>();
    const match = (i: number, j: number): boolean => {
        const key = `${i},${j}`;
        if (!memo.has(key)) {
            let result: boolean;
            if (i === patterns.length) {
                result = j === actual.length;
            } else if (patterns[i] === undefined) {
                result = match(i + 1, j) || (j < actual.length && match(i, j + 1));
            } else {
                result = j < actual.length && patterns[i]!.test(actual[j].trimEnd()) && match(i + 1, j + 1);
            }
            memo.set(key, result);
        }
        return memo.get(key)!;
    };
    return match(0, 0);
}

/** The tracked files as a clone has them, with this checkout's installed packages and build, committed in a fresh repository. */
function cloneOfProject(): string {
    const project = copyOfProject('fspec-docs-', ['node_modules', 'out']);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: project, stdio: 'ignore', env: { ...process.env, ...gitIdentity } });
    git('init', '--quiet');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'A clone of the project');
    return project;
}

const gitIdentity = { GIT_AUTHOR_NAME: 'Docs', GIT_AUTHOR_EMAIL: 'docs@example.com', GIT_COMMITTER_NAME: 'Docs', GIT_COMMITTER_EMAIL: 'docs@example.com' };

const runnable = docs.map(file => ({ file, blocks: runnableBlocks(file, fs.readFileSync(path.join(root, file), 'utf8')) })).filter(doc => doc.blocks.length);

// Each file's blocks run in order in a clone of their own, as a reader following that page would.
describe.each(runnable)('the commands of $file', ({ blocks }) => {
    let project: string;
    beforeAll(() => {
        project = cloneOfProject();
    }, 120_000);
    afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

    test.each(blocks.map(block => [`${block.file}:${block.line}`, block] as const))('%s runs as shown', (_name, block) => {
        let cwd = project;
        for (const { line, command, exitCode, expected } of block.commands) {
            // The command as a user types it; its output as a terminal shows it, and where a `cd` left the shell.
            const run = spawnSync('bash', ['-c', `${command} 2>&1; status=$?; pwd >&3; exit $status`], {
                cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, ...gitIdentity, NO_COLOR: '1' }
            });
            const output = run.stdout.split(project).join('<project>').replace(/\n+$/, '');
            const actual = output === '' ? [] : output.split('\n');
            const where = `${block.file}:${line} \`${command}\``;
            expect({ where, exitCode: run.status }).toEqual({ where, exitCode });
            if (!matchesShown(expected, actual)) {
                expect(actual.join('\n'), `${where} prints what the docs show`).toBe(expected.join('\n'));
            }
            cwd = (run.output[3] as string).trim() || cwd;
        }
    }, 120_000);
});

test('every README block that shows an fspec command is runnable', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const shown = [...readme.matchAll(/^```(.*)\n([\s\S]*?)^```/gm)].filter(([, , body]) => /^\$ .*fspec /m.test(body));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.filter(([, info]) => info.trim() !== 'console runnable').map(([, , body]) => body.split('\n')[0])).toEqual([]);
});

describe('how the docs test reads a block', () => {
    test('commands, their exit codes and the output shown for each', () => {
        const [block] = runnableBlocks('x.md', 'text\n```console runnable\n$ cd a\n$ npx fspec check b  # exit 1\none\n…\n\n```\n');
        expect(block.commands).toEqual([
            { line: 3, command: 'cd a', exitCode: 0, expected: [] },
            { line: 4, command: 'npx fspec check b', exitCode: 1, expected: ['one', '…'] }
        ]);
    });

    test('… stands for any lines, or any text within a line; everything else must be as shown', () => {
        expect(matchesShown(['a', '…', 'd'], ['a', 'b', 'c', 'd'])).toBe(true);
        expect(matchesShown(['a', '…', 'd'], ['a', 'd'])).toBe(true);
        expect(matchesShown(['commit …, tag v1.'], ['commit 3f2a9c1, tag v1.'])).toBe(true);
        expect(matchesShown(['a', 'd'], ['a', 'b', 'd'])).toBe(false);
        expect(matchesShown(['commit …, tag v1.'], ['commit 3f2a9c1, tag v2.'])).toBe(false);
        expect(matchesShown(['a (b)'], ['a b'])).toBe(false);
        expect(matchesShown([], ['unexpected'])).toBe(false);
    });
});
