import * as path from 'node:path';
import type { LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver';
import { diagnosticCode } from './load.js';

const severities = ['', 'error', 'warning', 'info', 'hint'];

export interface DiagnosticRecord {
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    severity: string;
    code: string;
    message: string;
}

/** A diagnostic with 1-based positions and the file relative to the working directory. */
export function diagnosticRecord(document: LangiumDocument, diagnostic: Diagnostic): DiagnosticRecord {
    const { start, end } = diagnostic.range;
    return {
        file: displayPath(document.uri.fsPath),
        line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1,
        severity: severities[diagnostic.severity ?? 1], code: diagnosticCode(diagnostic), message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value
    };
}

/** `file:line:col severity code message`, the shape editors and CI logs link from. */
export function formatRecord(record: DiagnosticRecord): string {
    return `${record.file}:${record.line}:${record.column} ${record.severity} ${record.code} ${record.message}`;
}

/** Paths under the working directory print relative, others absolute. */
export function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
