/**
 * Edge conditions (§10): clauses joined by `&&`, each `key = literal`, `key != literal` or a bare
 * `key` (true when its value is non-empty and not "false"). Keys are `outcome`, `preferred_label`,
 * `context.<path>` or an unqualified context key (A.3 #9: §10.4/§10.5 evaluate both, so the lint
 * accepts them). A literal is a quoted string or a bare run of `[A-Za-z0-9_.:-]`, optionally signed.
 * Comparison is exact and case-sensitive; a missing key reads as "".
 */
import { stringValue, type Context } from './context.js';
import type { Outcome } from './outcome.js';

export interface ConditionClause {
    readonly key: string;
    /** Undefined for a bare key (truthiness test). */
    readonly operator: '=' | '!=' | undefined;
    readonly literal: string;
}

export class ConditionSyntaxError extends Error {
    constructor(condition: string, reason: string) {
        super(`invalid condition "${condition}": ${reason}`);
        this.name = 'ConditionSyntaxError';
    }
}

const CLAUSE = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*(?:(!=|=)\s*("(?:[^"\\]|\\.)*"|[+-]?[A-Za-z0-9_.:-]+))?$/;

/** Parses a condition into its clauses; '' gives no clauses. Throws ConditionSyntaxError. */
export function parseCondition(condition: string): ConditionClause[] {
    const text = condition.trim();
    if (text === '') {
        return [];
    }
    return text.split('&&').map(part => {
        const clause = part.trim();
        if (clause === '') {
            throw new ConditionSyntaxError(condition, 'empty clause around &&');
        }
        const match = CLAUSE.exec(clause);
        if (!match) {
            throw new ConditionSyntaxError(condition, `"${clause}" is not key=value, key!=value or a key (only = and != joined by && are supported)`);
        }
        const [, key, operator, literal] = match;
        return { key, operator: operator as ConditionClause['operator'], literal: literal === undefined ? '' : parseLiteral(literal) };
    });
}

function parseLiteral(literal: string): string {
    return literal.startsWith('"') ? literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)) : literal;
}

/** Resolves a condition key to text (§10.4). */
export function resolveKey(key: string, outcome: Outcome, context: Context): string {
    if (key === 'outcome') {
        return outcome.status;
    }
    if (key === 'preferred_label') {
        return outcome.preferred_label ?? '';
    }
    if (key.startsWith('context.')) {
        for (const candidate of [key, key.slice('context.'.length)]) {
            const value = context.get(candidate);
            if (value !== undefined && value !== null) {
                return stringValue(value);
            }
        }
        return '';
    }
    return context.getString(key);
}

// Conditions are parsed once per distinct text; a run evaluates the same few many times.
const parsed = new Map<string, ConditionClause[]>();

/** True when every clause holds; an empty condition is true (§10.5). */
export function evaluateCondition(condition: string, outcome: Outcome, context: Context): boolean {
    let clauses = parsed.get(condition);
    if (!clauses) {
        clauses = parseCondition(condition);
        parsed.set(condition, clauses);
    }
    return clauses.every(({ key, operator, literal }) => {
        const value = resolveKey(key, outcome, context);
        if (operator === undefined) {
            // A boolean false in the context reads as "false", which must not count as true.
            return value !== '' && value !== 'false';
        }
        return operator === '=' ? value === literal : value !== literal;
    });
}
