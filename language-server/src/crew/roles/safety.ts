import type { DetachedSpec, DetachedSpecs } from '../../language/detached-specs.js';

/** One reason Safety refuses a proposal; the message names the invariant or morph rule it breaks. */
export interface SafetyVeto {
    code: string;
    message: string;
    /** 1-based line in the proposed text. */
    line: number;
}

export interface SafetyVerdict {
    verdict: 'approved' | 'vetoed';
    vetoes: SafetyVeto[];
}

/**
 * Safety: the proposed spec must pass every check the editor runs, against the last approved
 * version — identity invariants and morph rules come from the validator's own implementation
 * (model/growth-rules.ts), so the crew can never approve what the editor marks as an error.
 */
export async function reviewSafety(detached: DetachedSpecs, proposed: DetachedSpec): Promise<SafetyVerdict> {
    const errors = (await detached.validate(proposed)).filter(d => d.severity === 1);
    const vetoes = errors.map(d => ({ code: String(d.code ?? 'error'), message: typeof d.message === 'string' ? d.message : d.message.value, line: d.range.start.line + 1 }));
    return { verdict: vetoes.length ? 'vetoed' : 'approved', vetoes };
}
