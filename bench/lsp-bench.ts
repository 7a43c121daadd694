/**
 * `npm run bench` (after fspec-bench.ts): the editor requests on the generated 10k-line spec, as
 * the language server runs them on an open document — p50 and p95 over repeated runs, each next
 * to its target — and the linking time of our scope provider against Langium's
 * DefaultScopeProvider on the same spec. Only ratios within one run mean much on a shared
 * 2-core machine; the absolute figures move ±25 % from run to run.
 */
import { DefaultScopeProvider, DocumentState, EmptyFileSystem, inject, URI, type LangiumDocument, type Module } from 'langium';
import { createDefaultModule, createDefaultSharedModule, type PartialLangiumServices } from 'langium/lsp';
import { CancellationToken, type Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createFspecServices, FspecModule, FspecSharedModule, type FspecServices } from '../language-server/src/fspec-module.js';
import { FspecGeneratedModule, FspecGeneratedSharedModule } from '../language-server/src/generated/module.js';
import { registerValidationChecks } from '../language-server/src/language/fspec-validator.js';
import { generateSpec } from './spec-generator.js';

const runs = Number(process.env.FSPEC_BENCH_RUNS ?? 25);
const warmups = 3;
const lines = 10_000;

// ---------------------------------------------------------------- measuring

interface Figure { p50: number, p95: number, samples: number[] }

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function sample(run: (i: number) => unknown, count = runs): Promise<Figure> {
    const samples: number[] = [];
    for (let i = 0; i < warmups + count; i++) {
        const start = performance.now();
        await run(i);
        const ms = performance.now() - start;
        if (i >= warmups) {
            samples.push(ms);
        }
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), samples };
}

const results: Array<{ label: string, figure: Figure, target?: number }> = [];

function print(label: string, figure: Figure, target?: number): void {
    results.push({ label, figure, target });
    const verdict = target === undefined ? '' : `  target p95 <= ${target} ms: ${figure.p95 <= target ? 'met' : 'NOT met'}`;
    process.stdout.write(`  ${label.padEnd(58)} p50 ${figure.p50.toFixed(1).padStart(7)} ms   p95 ${figure.p95.toFixed(1).padStart(7)} ms${verdict}\n`);
}

// ---------------------------------------------------------------- the open document

const text = generateSpec(lines);
const textLines = text.split('\n');
const uri = URI.parse('file:///bench/large.fspec');

/** Position of `marker` on the `occurrence`-th line containing it (negative: from the end), `delta` characters in. */
function at(marker: string, occurrence: number, delta = 0): Position {
    const found = textLines.flatMap((l, i) => l.includes(marker) ? [i] : []);
    const line = found[occurrence < 0 ? found.length + occurrence : occurrence];
    if (line === undefined) {
        throw new Error(`bench: no line with ${JSON.stringify(marker)}`);
    }
    return { line, character: textLines[line].indexOf(marker) + delta };
}

function where(position: Position): string {
    return `line ${(position.line + 1).toLocaleString('en')}`;
}

async function openDocument(services: FspecServices): Promise<() => LangiumDocument> {
    const { DocumentBuilder, LangiumDocuments, TextDocuments } = services.shared.workspace;
    // As on didOpen: the text document is set, then the workspace is updated (parse, link, validate).
    TextDocuments.set(TextDocument.create(uri.toString(), 'fspec', 1, text));
    await DocumentBuilder.update([uri], []);
    const document = LangiumDocuments.getDocument(uri)!;
    const errors = (document.diagnostics ?? []).filter(d => d.severity === 1);
    if (document.state < DocumentState.Validated || errors.length) {
        throw new Error(`bench: the generated spec has ${errors.length} errors, first: ${errors[0]?.message}`);
    }
    return () => LangiumDocuments.getDocument(uri)!;
}

async function editorRequests(): Promise<void> {
    const services = createFspecServices(EmptyFileSystem).Fspec;
    const document = await openDocument(services);
    const lsp = services.lsp;
    const textDocument = { uri: uri.toString() };
    const middle = Math.floor(textLines.length / 2);
    const nearMiddle = (marker: string) => {
        const found = textLines.flatMap((l, i) => l.includes(marker) ? [i] : []);
        return found.reduce((best, line) => Math.abs(line - middle) < Math.abs(best - middle) ? line : best, found[0]);
    };

    process.stdout.write(`\n${textLines.length.toLocaleString('en')}-line spec, ${runs} runs after ${warmups} warm-ups per figure:\n`);

    // Completion: the parser re-runs from the top to the cursor, so the cursor line matters.
    const completions: Array<[string, Position]> = [
        ['keywords in identity', { line: at('prohibit change purpose', 0).line, character: 4 }],
        ['entity after `reads`', at('reads Entity', 0, 'reads '.length)],
        ['entity after `reads`', { line: nearMiddle(' reads Entity'), character: textLines[nearMiddle(' reads Entity')].indexOf('reads ') + 'reads '.length }],
        ['element after `covers`', at(' covers ', -1, ' covers '.length)],
        ['keywords before the last `}`', { line: at('stage seed "1.0.0"', -1).line, character: textLines[at('stage seed "1.0.0"', -1).line].length }]
    ];
    let completionWorst = 0;
    for (const [what, position] of completions) {
        const figure = await sample(async () => {
            const list = await lsp.CompletionProvider!.getCompletion(document(), { textDocument, position });
            if (!list?.items.length) {
                throw new Error(`bench: no completion at ${where(position)}`);
            }
        });
        completionWorst = Math.max(completionWorst, figure.p95);
        print(`completion, ${what} (${where(position)})`, figure, 50);
    }

    const reference = at('reads Entity', Math.floor(textLines.filter(l => l.includes('reads Entity')).length / 2), 'reads E'.length);
    const lastReference = at(' covers ', -1, ' covers fl'.length);
    const declaration = at('entity Entity', Math.floor(textLines.filter(l => l.includes('entity Entity')).length / 2), 'entity E'.length);
    const hoverFigures: Figure[] = [];
    for (const [what, position] of [['reference', reference], ['reference near the end', lastReference], ['declaration', declaration]] as const) {
        const figure = await sample(async () => {
            if (!await lsp.HoverProvider!.getHoverContent(document(), { textDocument, position })) {
                throw new Error(`bench: no hover at ${where(position)}`);
            }
        });
        hoverFigures.push(figure);
        print(`hover, ${what} (${where(position)})`, figure, 50);
    }
    for (const [what, position] of [['reference', reference], ['reference near the end', lastReference]] as const) {
        print(`go to definition, ${what} (${where(position)})`, await sample(async () => {
            if (!(await lsp.DefinitionProvider!.getDefinition(document(), { textDocument, position }))?.length) {
                throw new Error(`bench: no definition at ${where(position)}`);
            }
        }), 100);
    }
    const test0 = at('test test0 ', 0, 'test t'.length);
    for (const [what, position] of [['entity declaration', declaration], ['test0 (required by rules)', test0], ['reference', reference]] as const) {
        print(`find references, ${what} (${where(position)})`, await sample(async () => {
            if (!(await lsp.ReferencesProvider!.findReferences(document(), { textDocument, position, context: { includeDeclaration: true } })).length) {
                throw new Error(`bench: no references at ${where(position)}`);
            }
        }), 100);
    }
    if (lsp.SemanticTokenProvider) {
        print('semantic tokens, full document', await sample(async () => {
            await lsp.SemanticTokenProvider!.semanticHighlight(document(), { textDocument });
        }), 300);
    } else {
        process.stdout.write('  semantic tokens: no SemanticTokenProvider registered\n');
    }
    if (lsp.Formatter) {
        print('formatting, full document', await sample(async () => {
            await lsp.Formatter!.formatDocument(document(), { textDocument, options: { tabSize: 2, insertSpaces: true } });
        }), 500);
    } else {
        process.stdout.write('  formatting: no Formatter registered\n');
    }

    // One-line edit: the client sends the new text, the server rebuilds (parse, link, validate) the document.
    const editLine = nearMiddle('guardrail rule');
    const edited = [...textLines];
    edited[editLine] = edited[editLine].replace(/"$/, ' (edited)"');
    const versions = [edited.join('\n'), text];
    const { DocumentBuilder, TextDocuments } = services.shared.workspace;
    let version = 1;
    // Where an edit's time goes: the end of each build phase, per run.
    const phaseNames = ['parse', 'index', 'scopes', 'link', 'index refs', 'validate'];
    let marks: number[] = [];
    const phases: number[][] = [];
    const listeners = phaseNames.map((_, i) => DocumentBuilder.onBuildPhase(i + 1, () => { marks[i] = performance.now(); }));
    print(`re-validation after a one-line edit (${where({ line: editLine, character: 0 })})`, await sample(async i => {
        TextDocuments.set(TextDocument.create(uri.toString(), 'fspec', ++version, versions[i % 2]));
        marks = [];
        const start = performance.now();
        await DocumentBuilder.update([uri], [], CancellationToken.None);
        phases.push(marks.map((at, k) => at - (k === 0 ? start : marks[k - 1])));
        const rebuilt = document();
        if (rebuilt.state < DocumentState.Validated || rebuilt.textDocument.getText() !== versions[i % 2]) {
            throw new Error('bench: the edit was not rebuilt');
        }
    }), 150);
    listeners.forEach(l => l.dispose());
    const medianOf = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
    process.stdout.write(`    phases (median ms): ${phaseNames.map((name, k) => `${name} ${medianOf(phases.slice(warmups).map(p => p[k])).toFixed(0)}`).join(', ')}\n`);
    process.stdout.write(`  completion p95 over all positions: ${completionWorst.toFixed(1)} ms (target <= 50 ms: ${completionWorst <= 50 ? 'met' : 'NOT met'}); `
        + `hover p95: ${Math.max(...hoverFigures.map(f => f.p95)).toFixed(1)} ms\n`);
}

// ---------------------------------------------------------------- scope lookups

/** The language's services with one module on top (here: Langium's DefaultScopeProvider instead of ours). */
function servicesWith(override: Module<FspecServices, PartialLangiumServices>): FspecServices {
    const shared = inject(createDefaultSharedModule(EmptyFileSystem), FspecGeneratedSharedModule, FspecSharedModule);
    const Fspec = inject(createDefaultModule({ shared }), FspecGeneratedModule, FspecModule, override);
    shared.ServiceRegistry.register(Fspec);
    registerValidationChecks(Fspec);
    shared.workspace.ConfigurationProvider.initialized({});
    return Fspec;
}

async function linkOnce(services: FspecServices): Promise<{ link: number, unresolved: number }> {
    const { DocumentBuilder, LangiumDocumentFactory, LangiumDocuments } = services.shared.workspace;
    let scoped = 0;
    let linked = 0;
    const marks = [
        DocumentBuilder.onBuildPhase(DocumentState.ComputedScopes, () => { scoped = performance.now(); }),
        DocumentBuilder.onBuildPhase(DocumentState.Linked, () => { linked = performance.now(); })
    ];
    const document = LangiumDocumentFactory.fromString(text, URI.parse('file:///bench/scopes.fspec'));
    LangiumDocuments.addDocument(document);
    await DocumentBuilder.build([document], { validation: false });
    marks.forEach(m => m.dispose());
    return { link: linked - scoped, unresolved: document.references.filter(r => r.error).length };
}

async function scopeLookups(): Promise<void> {
    // Langium's default provider scans the symbol list per reference: seconds per run at 10k lines, so fewer runs.
    const scopeRuns = 5;
    const scopeWarmups = 1;
    const variants = {
        fspec: () => createFspecServices(EmptyFileSystem).Fspec,
        default: () => servicesWith({ references: { ScopeProvider: services => new DefaultScopeProvider(services) } })
    };
    const times: Record<keyof typeof variants, number[]> = { fspec: [], default: [] };
    const unresolved: Record<keyof typeof variants, number> = { fspec: 0, default: 0 };
    // Interleaved, fresh services each time, so both see the same machine load.
    for (let i = 0; i < scopeWarmups + scopeRuns; i++) {
        for (const key of Object.keys(variants) as Array<keyof typeof variants>) {
            const result = await linkOnce(variants[key]());
            unresolved[key] = result.unresolved;
            if (i >= scopeWarmups) {
                times[key].push(result.link);
            }
        }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const own = median(times.fspec);
    const base = median(times.default);
    process.stdout.write(`\nScope lookups: linking the ${textLines.length.toLocaleString('en')}-line spec, median of ${scopeRuns} (fresh services each, interleaved):\n`);
    process.stdout.write(`  FspecScopeProvider (hashed)             ${own.toFixed(0).padStart(6)} ms   unresolved references: ${unresolved.fspec}\n`);
    process.stdout.write(`  Langium DefaultScopeProvider            ${base.toFixed(0).padStart(6)} ms   unresolved references: ${unresolved.default}\n`);
    process.stdout.write(`  ratio default / fspec: ${(base / own).toFixed(1)}x (fspec takes ${(100 * own / base).toFixed(0)} % of the default's linking time)\n`);
}

process.stdout.write(`\nLSP benchmark: Node ${process.version}\n`);
await editorRequests();
await scopeLookups();
const missed = results.filter(r => r.target !== undefined && r.figure.p95 > r.target);
process.stdout.write(`\n${results.filter(r => r.target !== undefined).length - missed.length} of ${results.filter(r => r.target !== undefined).length} figures meet their target`
    + (missed.length ? `; NOT met: ${missed.map(r => r.label).join('; ')}` : '') + '\n');
