/**
 * How a mutation PR is named, the same in the webview's header and the extension's diff and panel
 * titles. Free of `vscode` and the DOM, like messages.ts.
 */
import type { PrView } from './messages.js';

/**
 * The version the growth starts from and the one it makes. The PR records only the new one, so
 * the old one is read from the header of the spec before (`spec FarmOps version "0.2.0"`); a spec
 * whose header does not say falls back to the stage it grows from.
 */
export function prVersions(pr: PrView): { from: string; to: string } {
    const header = /^\s*spec\s+[A-Za-z_]\w*\s+version\s+"([^"]*)"/m.exec(pr.before);
    return { from: header?.[1] ?? pr.stage.from ?? 'the approved version', to: pr.stage.version };
}

/** `FarmOps: 0.2.0 ↔ 0.3.0 (mutation PR)`: the text diff's title. */
export function prTitle(pr: PrView): string {
    const { from, to } = prVersions(pr);
    return `${pr.spec.name}: ${from} ↔ ${to} (mutation PR)`;
}
