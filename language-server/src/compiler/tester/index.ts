/**
 * The Tester: acceptance tests as executable checks over the app's records (derive.ts), emitted
 * into the generated app with its edge cases (emit.ts, edge-cases.ts), and run in a sandbox
 * (run-acceptance.ts). No CLI or LSP code: the CLI, the `fspec/test` request and the crew call it.
 */
export { testPlans, type CheckPlan, type TestPlan } from './derive.js';
export { edgeCases, type EdgeCasePlan } from './edge-cases.js';
export { acceptanceFiles } from './emit.js';
export {
    failedChecksText, formatAcceptanceReport,
    type AcceptanceReport, type CheckResult, type TestResult, type TestStatus, type Violation
} from './report.js';
export { AcceptanceInputError, runAcceptance, type RunAcceptanceOptions } from './run-acceptance.js';
