import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { createFspecServices } from '../../language-server/src/fspec-module.js';
import type { DetachedSpec } from '../../language-server/src/language/detached-specs.js';

export const services = createFspecServices(NodeFileSystem).Fspec;

export const farmFile = path.resolve('examples/farmer-contract-allocation/farm-ops.fspec');
export const policyFile = path.resolve('examples/immigration-policy-impact/policy-impact.fspec');

/** The seed's growth example: the farmer wants Tuesday contracts first, PHI compliant, with packlists, invoices and shortfall alerts. */
export const tuesdayDesire = `    desire tuesday_shortfalls "Reserve Tuesday contracts first" {
      goal "Reserve Tuesday contracts first"
      constraint "PHI compliant"
      trusted_source weather_service
      output packlists, invoices, shortfall_alerts
    }
`;

/** An example's text with desires added at the top of its desires section. */
export function withDesires(file: string, desires: string): string {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('  desires {\n')) {
        throw new Error(`${file} has no desires section`);
    }
    return text.replace('  desires {\n', `  desires {\n${desires}`);
}

/** A text read as the example file (so its approved version is found), without touching the file. */
export function loadAs(file: string, text: string): Promise<DetachedSpec> {
    return services.model.DetachedSpecs.load(text, URI.file(file));
}
