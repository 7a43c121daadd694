import { growPrice, growPriority } from './allocation.js';
import { growDraft, growPlan } from './composing.js';
import { growForecast, growMatch } from './derivation.js';
import { gateCheckFor } from './gates.js';
import { growCollect, growGroupBy, growInvoice } from './grouping.js';
import { growIngest, growRoute, growSeverityThenDue } from './ordering.js';
import { stageTypeNames, type BodyGrower, type GrownBody, type StepShape } from './shape.js';

export { modelSkillPrefix, type BodyGrower, type GrownBody, type StepShape } from './shape.js';

/**
 * The Toolsmith: deterministic bodies for the strategies it knows.
 *
 * Recognition rule. A step with a `strategy` is grown by the skill of that name, or not at all:
 * `priority`, `price`, `severity_then_due`, `group_by_<field>` and `<field>_match` (families
 * whose field names an output or read field). A step without one is matched by what it reads and
 * outputs, trying these shapes in order: ingest, invoice, collect, forecast, route, plan, draft.
 * A gate gets one check per guardrail it enforces: an interval window, approval, or keeping data in.
 * Whatever does not fit, or fits only partly, is 'unknown': the compiler writes a NotYetGrown body.
 */

interface StrategySkill {
    matches: (strategy: string) => RegExpExecArray | null;
    grow: (shape: StepShape, match: RegExpExecArray) => GrownBody | undefined;
}

export const strategySkills: StrategySkill[] = [
    { matches: s => /^priority$/.exec(s), grow: growPriority },
    { matches: s => /^price$/.exec(s), grow: growPrice },
    { matches: s => /^severity_then_due$/.exec(s), grow: growSeverityThenDue },
    { matches: s => /^group_by_(\w+)$/.exec(s), grow: (shape, m) => growGroupBy(shape, m[1]) },
    { matches: s => /^(\w+)_match$/.exec(s), grow: (shape, m) => growMatch(shape, m[1]) }
];

/** Shape skills for steps without a strategy, in the order they are tried. */
export const shapeSkills: Array<(shape: StepShape) => GrownBody | undefined> = [
    growIngest, growInvoice, growCollect, growForecast, growRoute, growPlan, growDraft
];

function growStep(shape: StepShape): GrownBody | 'unknown' {
    const { strategy } = shape.stage;
    if (strategy !== undefined) {
        for (const skill of strategySkills) {
            const match = skill.matches(strategy);
            const body = match && skill.grow(shape, match);
            if (body) {
                return body;
            }
        }
        return 'unknown';
    }
    for (const skill of shapeSkills) {
        const body = skill(shape);
        if (body) {
            return body;
        }
    }
    return 'unknown';
}

function growGate(shape: StepShape): GrownBody | 'unknown' {
    const { stage } = shape;
    if (stage.strategy !== undefined || stage.enforces.length === 0) {
        return 'unknown';
    }
    const checks = stage.enforces.map(guardrail => gateCheckFor(shape, guardrail));
    if (checks.some(c => !c)) {
        return 'unknown';
    }
    const names = stageTypeNames(stage);
    const code = [
        `const blocked: ${names.blocked}[] = [];`,
        ...checks.map(c => c!.code),
        'return blocked;'
    ].join('\n');
    const skills = [...new Set(checks.map(c => c!.skill))];
    return { skill: `gate:${skills.join('+')}`, summary: `blocks rows breaking ${stage.enforces.map(g => g.name).join(', ')}`, code };
}

/** The deterministic Toolsmith as a body grower. */
export const toolsmith: BodyGrower = shape => shape.stage.kind === 'gate' ? growGate(shape) : growStep(shape);

/** What the compiler writes for a step no grower knows: it builds, and running it throws NotYetGrown naming the step. */
export function notYetGrownBody(shape: StepShape): string {
    const { stage } = shape;
    const why = stage.kind === 'gate'
        ? (stage.enforces.length ? `no known check for ${stage.enforces.map(g => g.name).join(', ')}` : 'it enforces no guardrail')
        : stage.strategy ? `the Toolsmith does not know strategy ${stage.strategy}` : `the Toolsmith knows no body for what it reads and outputs`;
    return [
        '// Not yet grown: write this body, or grow it (fspec build keeps a body edited here).',
        `throw new NotYetGrown(${JSON.stringify(stage.qualified)}, ${JSON.stringify(why)});`
    ].join('\n');
}
