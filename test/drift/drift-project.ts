import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import type { Diagnostic } from 'vscode-languageserver';
import { buildSpecs } from '../../language-server/src/cli/load.js';
import { buildApp } from '../../language-server/src/compiler/build-app.js';
import type { BuildResult } from '../../language-server/src/compiler/write-build.js';
import { createFspecServices, type FspecServices } from '../../language-server/src/fspec-module.js';
import type { Spec } from '../../language-server/src/generated/ast.js';
import { exampleCopy, farmSpec } from '../compiler/compiled-app.js';

export const allocateFile = 'src/pipelines/contract_allocation/allocate.ts';
export const allocateSignature = 'export function allocate(input: AllocateInput, ctx: rt.StepContext): AllocateOutput {';
export const editedSignature = 'export function allocate(input: AllocateInput, ctx: rt.StepContext, limit = 3): AllocateOutput {';
export const bodyLine = 'const out: T.Allocation[] = [];';
export const editedBodyLine = 'const out: T.Allocation[] = []; // checked by hand';

/** A copy of the farm example with its app built into `.factory/build/0.2.0/`, validated with the language's own services. */
export class DriftProject {
    readonly services: FspecServices = createFspecServices(NodeFileSystem).Fspec;
    readonly spec: string;
    readonly out: string;
    readonly build: BuildResult;
    private document?: LangiumDocument<Spec>;

    private constructor(spec: string, build: BuildResult) {
        this.spec = spec;
        this.build = build;
        this.out = build.out;
    }

    static async create(): Promise<DriftProject> {
        const spec = exampleCopy(farmSpec);
        const services = createFspecServices(NodeFileSystem).Fspec;
        const [document] = await buildSpecs(services, [spec]);
        const build = buildApp(services.model.SpecGraphs.get(document.parseResult.value), spec);
        return new DriftProject(spec, build);
    }

    file(relative: string): string {
        return path.join(this.out, relative);
    }

    edit(relative: string, from: string, to: string): void {
        const text = fs.readFileSync(this.file(relative), 'utf8');
        if (!text.includes(from)) {
            throw new Error(`${relative} has no '${from}'`);
        }
        fs.writeFileSync(this.file(relative), text.replace(from, to));
    }

    /** Validates the spec (again, from the disk) and returns its document. */
    async validate(): Promise<LangiumDocument<Spec>> {
        if (!this.document) {
            [this.document] = await buildSpecs(this.services, [this.spec]);
        } else {
            await this.services.shared.workspace.DocumentBuilder.update([URI.file(this.spec)], []);
        }
        return this.document;
    }

    /** The drift diagnostics of a fresh validation. */
    async drift(): Promise<Diagnostic[]> {
        return ((await this.validate()).diagnostics ?? []).filter(d => d.code === 'drift');
    }

    /** The 0-based line of the spec holding `marker`. */
    lineOf(marker: string): number {
        return fs.readFileSync(this.spec, 'utf8').split('\n').findIndex(l => l.includes(marker));
    }
}
