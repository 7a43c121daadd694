/**
 * A small test harness for the extension host: named tests run in order (they share one VS Code
 * window), failures are collected, and `page` asks the runner to act on the page like a user.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

type Test = { name: string, body: () => Promise<void> };

/** The runner shows lines with this prefix; the workbench's own console noise goes to its log file. */
export function report(line: string): void {
    console.log(`[fspec-suite] ${line}`);
}
const tests: Test[] = [];

export function test(name: string, body: () => Promise<void>): void {
    tests.push({ name, body });
}

/** Runs every registered test; rejects (VS Code then exits 1) when one failed. */
export async function runAll(): Promise<void> {
    const failures: string[] = [];
    for (const { name, body } of tests) {
        const started = Date.now();
        try {
            await body();
            report(`  ✓ ${name} (${Date.now() - started} ms)`);
        } catch (error) {
            failures.push(name);
            report(`  ✗ ${name}\n${error instanceof Error ? error.stack : String(error)}`);
            await page.screenshot(`failed-${name.replace(/\W+/g, '-')}`, { failure: true }).catch(() => undefined);
        }
    }
    report(`${tests.length - failures.length} passed, ${failures.length} failed`);
    if (failures.length > 0) throw new Error(`Failed: ${failures.join('; ')}`);
}

export function assert(condition: unknown, message: string): asserts condition {
    if (!condition) throw new Error(message);
}

/** Polls `probe` until it returns a value other than undefined/false, or fails with `what`. */
export async function until<T>(what: string, probe: () => T | undefined | false | PromiseLike<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

let requests = 0;

/**
 * Sends a request to the code-server runner's page driver (test/vscode/page-driver.mjs) and waits for
 * its answer. Desktop VS Code (run-electron.mjs) has no driver: page steps are skipped there, said so.
 */
async function drive<T>(action: string, args: Record<string, unknown>): Promise<T | undefined> {
    const driverDir = process.env.FSPEC_DRIVER_DIR;
    if (!driverDir) {
        report(`    (page step ${action} skipped: no page driver in this runner)`);
        return undefined;
    }
    const id = `${++requests}`;
    console.log(`[fspec-driver] ${JSON.stringify({ id, action, ...args })}`);
    const answerFile = path.join(driverDir, `${id}.json`);
    await until(`the page driver to answer ${action}`, () => fs.existsSync(answerFile), 60_000);
    const answer = JSON.parse(fs.readFileSync(answerFile, 'utf8')) as { ok: boolean, result: T, error?: string };
    if (!answer.ok) throw new Error(`Page: ${answer.error}`);
    return answer.result;
}

export const page = {
    press: (...keys: string[]) => drive<null>('press', { keys }),
    /** Texts of the elements matching `selector` in the workbench or a webview, once all of `includes` appear. */
    texts: (selector: string, includes: string[] = [], timeoutMs?: number) => drive<string[]>('texts', { selector, includes, timeoutMs }),
    click: (selector: string, text = '') => drive<null>('click', { selector, text }),
    /** Texts of the elements matching `selector` in any frame right now; an empty list when there are none. */
    textsNow: (selector: string) => drive<string[]>('textsNow', { selector }),
    computedStyle: (selector: string, property: string) => drive<string[]>('computedStyle', { selector, property }),
    /** A picture of the page: into out/screenshots/ (the README's pictures), or with `failure` into test-results/. */
    screenshot: (name: string, { failure = false } = {}) => drive<string>('screenshot', { name, failure }),
    /** Milliseconds from the last keystroke of `text` until `label` is in an element matching `selector`. */
    typeAndMeasure: (text: string, selector: string, label: string) => drive<number>('typeAndMeasure', { text, selector, label })
};

export function workspaceFile(...segments: string[]): vscode.Uri {
    return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, ...segments);
}

/** The first line of `document` that contains `text` (0-based); fails when there is none. */
export function lineOf(document: vscode.TextDocument, text: string): number {
    const line = document.getText().split('\n').findIndex(l => l.includes(text));
    assert(line >= 0, `${text} is in ${document.uri.path}`);
    return line;
}

export function errorsOf(uri: vscode.Uri): vscode.Diagnostic[] {
    return vscode.languages.getDiagnostics(uri).filter(d => d.severity === vscode.DiagnosticSeverity.Error);
}
