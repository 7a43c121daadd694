import * as fs from 'node:fs';
import * as path from 'node:path';
import { DocumentValidator, URI, type LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import type { Spec } from '../generated/ast.js';
import type { FspecServices } from '../fspec-module.js';

/** Larger files are refused: a spec describes one app, and 4 MiB is already ~100k lines. */
export const maxSpecBytes = 4 * 1024 * 1024;

/** A problem with the command's input: reported as one line, exit code 2, never a stack trace. */
export class InputError extends Error {}

/** The .fspec files named by the arguments: files as given, folders searched recursively (skipping hidden folders and node_modules). */
export function collectSpecFiles(paths: string[]): string[] {
    const files: string[] = [];
    for (const given of paths) {
        const stat = fs.statSync(given, { throwIfNoEntry: false });
        if (!stat) {
            throw new InputError(`${given}: no such file or directory`);
        }
        if (stat.isDirectory()) {
            const found = findSpecs(given);
            if (found.length === 0) {
                throw new InputError(`${given}: no .fspec files in this directory`);
            }
            files.push(...found);
        } else {
            files.push(given);
        }
    }
    return files;
}

function findSpecs(folder: string): string[] {
    return fs.readdirSync(folder, { withFileTypes: true })
        .sort((a, b) => a.name.localeCompare(b.name))
        .flatMap(entry => {
            const full = path.join(folder, entry.name);
            if (entry.isDirectory()) {
                return entry.name.startsWith('.') || entry.name === 'node_modules' ? [] : findSpecs(full);
            }
            return entry.name.endsWith('.fspec') ? [full] : [];
        });
}

/** Reads a spec file, refusing what cannot be a spec before the parser sees it. */
export function readSpecText(file: string): string {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) {
        throw new InputError(`${file}: no such file`);
    }
    if (!stat.isFile()) {
        throw new InputError(`${file}: not a file`);
    }
    if (stat.size > maxSpecBytes) {
        throw new InputError(`${file}: too large (${(stat.size / 1024 / 1024).toFixed(1)} MiB; a spec may be at most ${maxSpecBytes / 1024 / 1024} MiB)`);
    }
    const bytes = fs.readFileSync(file);
    if (bytes.includes(0)) {
        throw new InputError(`${file}: binary content, not a .fspec text file`);
    }
    return bytes.toString('utf8');
}

/** Loads and builds the files with the language's own services, validating them as the editor does. */
export async function buildSpecs(services: FspecServices, files: string[]): Promise<LangiumDocument<Spec>[]> {
    const documents = services.shared.workspace.LangiumDocuments;
    const loaded = files.map(file => {
        const uri = URI.file(path.resolve(file));
        // The same file named twice is one document.
        if (documents.hasDocument(uri)) {
            return documents.getDocument(uri) as LangiumDocument<Spec>;
        }
        const document = services.shared.workspace.LangiumDocumentFactory.fromString<Spec>(readSpecText(file), uri);
        documents.addDocument(document);
        return document;
    });
    await services.shared.workspace.DocumentBuilder.build([...new Set(loaded)], { validation: true });
    return loaded;
}

/** Lexer, parser and linker errors: what makes a document unusable as a model (other findings are not). */
const structuralCodes: ReadonlySet<unknown> = new Set([DocumentValidator.LexingError, DocumentValidator.ParsingError, DocumentValidator.LinkingError]);

export function diagnosticCode(diagnostic: Diagnostic): string {
    return String(diagnostic.code ?? 'error');
}

export function structuralErrors(document: LangiumDocument): Diagnostic[] {
    return (document.diagnostics ?? []).filter(d => d.severity === 1 && structuralCodes.has(d.data?.code));
}
