import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { createFspecServices } from '../../language-server/src/fspec-module.js';
import type { DetachedSpec } from '../../language-server/src/language/detached-specs.js';

export const services = createFspecServices(NodeFileSystem).Fspec;

export const examplesFolder = path.resolve(import.meta.dirname, '../../examples');
export const farmFile = path.join(examplesFolder, 'farmer-contract-allocation/farm-ops.fspec');
export const policyFile = path.join(examplesFolder, 'immigration-policy-impact/policy-impact.fspec');

/**
 * The one desire each shipped example carries that its spec does not realize yet, so that
 * `fspec grow <spec> --yes` on a fresh clone has something to grow (a panel and its test).
 */
export const shippedPendingDesires: Readonly<Record<string, string>> = {
    [farmFile]: 'buyer_invoices',
    [policyFile]: 'draft_review'
};

/**
 * A shipped example as its last growth left it: its text without the pending desire it ships
 * with, so every desire is realized. Fixtures that grow an example from a desire of their own, or
 * need nothing left to grow, start from this text. Fails loudly for a file that is not a shipped
 * example, or when the example no longer carries its pending desire as a block of its own.
 */
export function realizedExample(file: string): string {
    const resolved = path.resolve(file);
    const desire = shippedPendingDesires[resolved];
    if (desire === undefined) {
        throw new Error(`${file} is not a shipped example spec (${Object.keys(shippedPendingDesires).join(', ')})`);
    }
    const text = fs.readFileSync(resolved, 'utf8');
    const blocks = [...text.matchAll(new RegExp(`^    desire ${desire}\\b[^\\n]*\\{\\n(?: {6}[^\\n]*\\n)*? {4}\\}\\n`, 'gm'))];
    if (blocks.length !== 1) {
        throw new Error(`${file} should ship exactly one pending desire '${desire}' (a block in its desires section); found ${blocks.length}`);
    }
    const [block] = blocks;
    return text.slice(0, block.index) + text.slice(block.index + block[0].length);
}

/** The seed's growth example: the farmer wants Tuesday contracts first, PHI compliant, with packlists, invoices and shortfall alerts. */
export const tuesdayDesire = `    desire tuesday_shortfalls "Reserve Tuesday contracts first" {
      goal "Reserve Tuesday contracts first"
      constraint "PHI compliant"
      trusted_source weather_service
      output packlists, invoices, shortfall_alerts
    }
`;

/** `text` with desires added at the top of its desires section. */
export function addDesires(text: string, desires: string, file = 'the spec'): string {
    if (!text.includes('  desires {\n')) {
        throw new Error(`${file} has no desires section`);
    }
    return text.replace('  desires {\n', `  desires {\n${desires}`);
}

/** An example as its last growth left it, with desires added at the top of its desires section. */
export function withDesires(file: string, desires: string): string {
    return addDesires(realizedExample(file), desires, file);
}

/** A text read as the example file (so its approved version is found), without touching the file. */
export function loadAs(file: string, text: string): Promise<DetachedSpec> {
    return services.model.DetachedSpecs.load(text, URI.file(file));
}
