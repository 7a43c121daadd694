import { judgeGrowth } from '../model/growth-rules.js';
import type { SpecGraph } from '../model/spec-graph.js';
import type { GrowthState } from './diagram.js';

/**
 * The growth since the approved version, split as the validator judges it: a morph with any
 * identity or morph-rule finding is refused, every other morph is allowed.
 */
export function growthState(approved: SpecGraph, current: SpecGraph): GrowthState {
    const { morphs, findings } = judgeGrowth(approved, current);
    const refused = new Set(findings.map(f => f.morph));
    return { allowed: morphs.filter(m => !refused.has(m)), refused: morphs.filter(m => refused.has(m)) };
}
