/**
 * `npm run bench`: parse + link + validate time of generated specs (1k and 10k lines), next to a
 * baseline Langium grammar (a minimal entity language) measured in the same process on a
 * document of the same line count. Only ratios within one run mean much on a shared 2-core machine.
 */
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import { createServicesForGrammar } from 'langium/grammar';
import type { LangiumServices } from 'langium/lsp';
import { createFspecServices } from '../language-server/src/fspec-module.js';
import { InMemoryFileSystem } from '../test/fixtures.js';
import { generateSpec } from './spec-generator.js';

const runs = 7;
const warmups = 2;

const baselineGrammar = `
grammar Baseline
entry Model: (entities+=Entity)*;
Entity: 'entity' name=ID ('extends' superType=[Entity:ID])? '{' (features+=Feature)* '}';
Feature: name=ID ':' type=[Entity:ID];
hidden terminal WS: /\\s+/;
terminal ID: /[_a-zA-Z][\\w_]*/;
`;

function baselineText(lines: number): string {
    const out: string[] = [];
    for (let i = 0; out.length < lines; i++) {
        out.push(`entity E${i}${i > 0 ? ` extends E${i - 1}` : ''} {`, `  a: E${i}`, `  b: E${Math.max(0, i - 1)}`, `  c: E${Math.floor(i / 2)}`, '}');
    }
    return out.join('\n');
}

interface Sample { total: number, phases: Record<string, number> }

async function buildOnce(services: LangiumServices, text: string, uri: string): Promise<Sample> {
    const { DocumentBuilder, LangiumDocumentFactory, LangiumDocuments } = services.shared.workspace;
    const marks: Array<[string, number]> = [];
    const phases = ['IndexedContent', 'ComputedScopes', 'Linked', 'IndexedReferences', 'Validated'] as const;
    const disposables = phases.map((name, i) => DocumentBuilder.onBuildPhase(i + 2, () => { marks.push([name, performance.now()]); }));
    const start = performance.now();
    const document: LangiumDocument = LangiumDocumentFactory.fromString(text, URI.parse(uri));
    const parsed = performance.now();
    LangiumDocuments.addDocument(document);
    await DocumentBuilder.build([document], { validation: true });
    const end = performance.now();
    disposables.forEach(d => d.dispose());
    const errors = (document.diagnostics ?? []).filter(d => d.severity === 1);
    if (errors.length) {
        throw new Error(`${uri}: benchmark input has ${errors.length} errors, first: ${errors[0].message}`);
    }
    const result: Record<string, number> = { parse: parsed - start };
    let previous = parsed;
    for (const [name, at] of marks) {
        result[name] = at - previous;
        previous = at;
    }
    LangiumDocuments.deleteDocument(document.uri);
    return { total: end - start, phases: result };
}

async function measure(label: string, create: () => Promise<LangiumServices>, text: string, uri: string): Promise<Sample> {
    const samples: Sample[] = [];
    for (let i = 0; i < warmups + runs; i++) {
        // Fresh services per run: no caches carried over, as for a newly opened document.
        const sample = await buildOnce(await create(), text, uri);
        if (i >= warmups) {
            samples.push(sample);
        }
        (globalThis as { gc?: () => void }).gc?.();
    }
    samples.sort((a, b) => a.total - b.total);
    const median = samples[Math.floor(samples.length / 2)];
    process.stdout.write(`  ${label.padEnd(34)} ${median.total.toFixed(0).padStart(6)} ms  ${Math.round(text.split('\n').length / (median.total / 1000)).toLocaleString('en').padStart(9)} lines/s   `
        + Object.entries(median.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ') + '\n');
    return median;
}

async function main(): Promise<void> {
    process.stdout.write(`fspec benchmark: median of ${runs} builds (after ${warmups} warm-ups), fresh services each, Node ${process.version}\n`);
    const baseline = () => createServicesForGrammar({
        grammar: baselineGrammar,
        languageMetaData: { languageId: 'baseline', fileExtensions: ['.base'], caseInsensitive: false, mode: 'production' }
    });
    const fspec = async () => createFspecServices(EmptyFileSystem).Fspec;
    for (const lines of [1_000, 10_000]) {
        const specText = generateSpec(lines);
        const actual = specText.split('\n').length;
        process.stdout.write(`\n${actual.toLocaleString('en')}-line spec:\n`);
        const base = await measure('baseline entity grammar', baseline, baselineText(actual), `bench:///baseline-${lines}.base`);
        const own = await measure('fspec parse + link + validate', fspec, specText, `file:///bench/app-${lines}.fspec`);
        // The same spec against an approved version lacking one source: the cross-version checks run too.
        const approved = generateSpec(lines);
        const current = generateSpec(lines, { extraSources: 1 });
        const withApproved = async () => createFspecServices({
            ...EmptyFileSystem,
            fileSystemProvider: () => new InMemoryFileSystem(new Map([['/bench/.factory/approved/Generated.fspec', approved]]))
        }).Fspec;
        const crossVersion = await measure('fspec + approved-version checks', withApproved, current, `file:///bench/app-${lines}.fspec`);
        process.stdout.write(`  ratio fspec / baseline: ${(own.total / base.total).toFixed(2)}x; with cross-version checks: ${(crossVersion.total / base.total).toFixed(2)}x\n`);
        if (lines === 10_000) {
            process.stdout.write(`  target: a 10k-line spec builds in <= 1000 ms: ${own.total <= 1000 ? 'met' : 'NOT met'} (${own.total.toFixed(0)} ms)\n`);
        }
    }
}

await main();
