import type { AppModel, AppStage } from '../app-model.js';
import { header } from '../emit-types.js';
import { commentText, indent, pascalName, str } from '../ts-names.js';
import { testPlans, type CheckPlan, type GuardrailCheckPlan, type TestPlan } from './derive.js';
import { edgeCases, type EdgeCases, type EdgeRows } from './edge-cases.js';

/**
 * The Tester's files in the generated app: a module per acceptance test (`src/acceptance/<test>.ts`,
 * its checks as data, and each guardrail check as the code the Toolsmith grows for the gate),
 * the edge cases (`src/acceptance/edge-cases.ts`) and the list of tests (`src/acceptance/all-tests.ts`).
 * The runner they share is `src/runtime/acceptance.ts`.
 */

export interface AcceptanceFiles {
    files: Array<[string, string]>;
    plans: TestPlan[];
    edges: EdgeCases;
}

export function acceptanceFiles(app: AppModel): AcceptanceFiles {
    const plans = testPlans(app);
    const edges = edgeCases(app, plans);
    return {
        plans, edges,
        files: [
            ...plans.map((plan): [string, string] => [testFile(plan.name), testModule(app, plan)]),
            ['src/acceptance/edge-cases.ts', edgeModule(app, edges)],
            ['src/acceptance/all-tests.ts', allTestsModule(app, plans)]
        ]
    };
}

export function testFile(test: string): string {
    return `src/acceptance/${test}.ts`;
}

function checkName(check: GuardrailCheckPlan): string {
    return `${pascalName(check.guardrail.name)}At${pascalName(check.gate.pipeline)}${pascalName(check.gate.name)}`;
}

function readsInterface(gate: AppStage, name: string): string[] {
    return [
        `/** What ${gate.qualified} reads, as the store has it after the run. */`,
        `interface ${name} {`,
        '    reads: {',
        ...gate.reads.map(e => `        ${e}: rt.Stored<T.${e}>[];`),
        '    };',
        '}'
    ];
}

function guardrailFunction(check: GuardrailCheckPlan): string[] {
    const name = checkName(check);
    const blocked = `${name}Blocked`;
    return [
        ...readsInterface(check.gate, `${name}Reads`),
        `type ${blocked} = rt.Blocked<${check.gate.reads.map(str).join(' | ') || 'never'}, ${str(check.guardrail.name)}>;`,
        '',
        '/**',
        ` * ${commentText(check.guardrail.name)} ("${commentText(check.guardrail.text)}") as ${check.gate.qualified} enforces it: the rows that break it.`,
        ` * The Toolsmith's ${check.check.skill} check, the rule the gate's body is grown from, generated here too, so a body`,
        ' * edited by hand (or grown by another grower) is checked against it.',
        ' */',
        `function check${name}(input: ${name}Reads, ctx: rt.StepContext): ${blocked}[] {`,
        `    const blocked: ${blocked}[] = [];`,
        indent(check.check.code, 1),
        '    return blocked;',
        '}',
        ''
    ];
}

function checkObject(check: CheckPlan): string {
    const common = `kind: ${str(check.kind)}, description: ${str(check.description)}`;
    switch (check.kind) {
        case 'guardrail':
            return `{ ${common}, gate: ${str(check.gate.qualified)}, guardrail: ${str(check.guardrail.name)}, reads: ${JSON.stringify(check.gate.reads)}, run: check${checkName(check)} }`;
        case 'coverage':
            return `{ ${common}, step: ${str(check.step)}, entity: ${str(check.entity)}, where: ${JSON.stringify(check.where)}, output: ${str(check.output)}, via: ${str(check.via)}, values: ${JSON.stringify(check.values)}, filled: ${JSON.stringify(check.filled)} }`;
        case 'ordering':
            return `{ ${common}, step: ${str(check.step)}, entity: ${str(check.entity)}, keys: ${JSON.stringify(check.keys)} }`;
        case 'panel':
            return `{ ${common}, panel: ${str(check.panel)}, entity: ${str(check.entity)}, fields: ${JSON.stringify(check.fields)} }`;
    }
}

/** `src/acceptance/<test>.ts`: the test's checks. */
export function testModule(app: AppModel, plan: TestPlan): string {
    const guardrails = plan.checks.filter((c): c is GuardrailCheckPlan => c.kind === 'guardrail');
    return [
        header(app, `acceptance test ${plan.name} ("${commentText(plan.title)}"), the checks the Tester derived from what it covers.`),
        ...guardrails.length ? ["import type * as T from '../types.ts';", "import type * as rt from '../runtime/records.ts';"] : [],
        ...guardrails.some(c => c.check.code.includes('kit.')) ? ["import * as kit from '../runtime/kit.ts';"] : [],
        "import type { TestDef } from '../runtime/acceptance.ts';",
        '',
        ...guardrails.flatMap(guardrailFunction),
        `export const test: TestDef = {`,
        `    name: ${str(plan.name)},`,
        `    title: ${str(plan.title)},`,
        `    covers: ${JSON.stringify(plan.covers)},`,
        `    stages: ${JSON.stringify(plan.stages)},`,
        ...plan.checks.length ? ['    checks: [', plan.checks.map(c => `        ${checkObject(c)}`).join(',\n'), '    ],'] : ['    checks: [],'],
        `    unchecked: ${JSON.stringify(plan.unchecked)}${plan.notGrown ? ',' : ''}`,
        ...plan.notGrown ? [`    notGrown: ${str(plan.notGrown)}`] : [],
        '};',
        ''
    ].join('\n');
}

function rowsObject(rows: EdgeRows & { before?: string }): string {
    return `{ ${rows.before ? `before: ${str(rows.before)}, ` : ''}entity: ${str(rows.entity)}, rows: ${rows.code} }`;
}

/** `src/acceptance/edge-cases.ts`: the data sets the Tester generates besides the sample records. */
export function edgeModule(app: AppModel, edges: EdgeCases): string {
    const cases = edges.cases.map(c => [
        '    {',
        `        name: ${str(c.name)},`,
        `        description: ${str(c.description)},`,
        ...c.records.length ? ['        records: [', c.records.map(r => `            ${rowsObject(r)}`).join(',\n'), '        ],'] : [],
        ...c.inject.length ? ['        inject: [', c.inject.map(r => `            ${rowsObject(r)}`).join(',\n'), '        ]'] : [],
        '    }'
    ].join('\n'));
    return [
        header(app, 'the edge cases the Tester generates, one per guardrail check its tests derive.'),
        ...edges.cases.some(c => [...c.records, ...c.inject].some(r => r.code.includes('kit.'))) ? ["import * as kit from '../runtime/kit.ts';"] : [],
        "import type { DataSetDef } from '../runtime/acceptance.ts';",
        '',
        '/** Rows that break a guardrail unless its gate stops them: in the records (an entity no step makes) or put into the flow before the gate. */',
        `export const edgeCases: DataSetDef[] = [${cases.length ? `\n${cases.join(',\n')}\n` : ''}];`,
        '',
        '/** Guardrail checks no edge case could be made for, and why. */',
        `export const noEdgeCase: string[] = ${JSON.stringify(edges.none)};`,
        ''
    ].join('\n');
}

/** `src/acceptance/all-tests.ts`: every acceptance test, in the spec's order. */
export function allTestsModule(app: AppModel, plans: TestPlan[]): string {
    return [
        header(app, 'every acceptance test of the spec, in its order, and the edge cases.'),
        "import type { TestDef } from '../runtime/acceptance.ts';",
        ...plans.map((p, i) => `import { test as test${i} } from './${p.name}.ts';`),
        '',
        `export const tests: TestDef[] = [${plans.map((_, i) => `test${i}`).join(', ')}];`,
        "export { edgeCases, noEdgeCase } from './edge-cases.ts';",
        ''
    ].join('\n');
}
