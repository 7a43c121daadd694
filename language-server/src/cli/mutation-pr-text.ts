import * as path from 'node:path';
import type { MutationPr } from '../crew/mutation-pr.js';
import { describeOp } from '../model/record-migration-ops.js';
import { unifiedDiff } from '../model/line-diff.js';

/** A mutation PR for a terminal: what grows, its risk, tests and Safety's verdict, then the spec diff. */
export function formatMutationPr(pr: MutationPr): string {
    const file = path.basename(pr.spec.path);
    const lines = [
        `Mutation PR ${pr.runId}: ${pr.spec.name} ${pr.stage.from ? `${pr.stage.from} → ` : ''}${pr.stage.name} (version ${pr.stage.version}), planned ${pr.planner}`,
        '',
        'Desires:',
        ...pr.desires.map(d => `  ${d.name}${d.goal ? `: ${d.goal}` : ''}`),
        '',
        `Morphs (risk ${pr.simulation.risk}):`,
        ...pr.simulation.morphs.map(m => `  ${m.kind.padEnd(16)} ${m.detail}${m.risk ? `  [risk ${m.risk}${m.review === 'human' ? ', human review' : ''}]` : ''}`),
        '',
        'Tests:',
        ...(pr.simulation.tests.length ? pr.simulation.tests.flatMap(t => [
            `  ${t.name} (${t.status}${t.required ? ', required' : ''})${t.text ? `: ${t.text}` : ''}`, ...t.detail ? [`      ${t.detail}`] : []
        ]) : ['  none']),
        ...(pr.adapters.length ? ['', 'Adapters to build:', ...pr.adapters.map(a => `  ${a.source}${a.entities.length ? ` → ${a.entities.join(', ')}` : ''}${a.cadence ? ` (${a.cadence})` : ''}`)] : []),
        ...(pr.bodies.length ? ['', 'Step bodies written by the model:', ...pr.bodies.flatMap(b => b.body
            ? [`  ${b.stage}: accepted after ${b.attempts} answer${b.attempts === 1 ? '' : 's'}: ${b.body.summary}`, ...b.body.code.split('\n').map(line => `      ${line}`)]
            : [`  ${b.stage}: not grown (${b.problems?.[0] ?? 'no answer accepted'})`])] : []),
        ...(pr.panels.length ? ['', 'New panels:', ...pr.panels.map(p => `  ${p.panel}: ${p.sections.map(s => s.entity).join(', ') || 'empty'}${p.for.length ? ` for ${p.for.join(', ')}` : ''}`)] : []),
        ...(pr.migration?.ops.length ? [
            '', 'Migration of stored records:', ...pr.migration.ops.map(op => `  ${describeOp(op)}`),
            ...pr.migration.files.map(f => `  ${f.file}: ${f.records} record${f.records === 1 ? '' : 's'}`)
        ] : []),
        '',
        pr.safety.verdict === 'approved' ? 'Safety: approved' : 'Safety: VETOED',
        ...pr.safety.vetoes.map(v => `  line ${v.line}: ${v.message}`),
        '',
        unifiedDiff(pr.before, pr.after, [`a/${file}`, `b/${file}`])
    ];
    return lines.join('\n');
}
