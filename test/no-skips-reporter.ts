import type { Reporter, TestModule } from 'vitest/node';

/**
 * `npm test` runs every test: a skipped one (skip, todo, skipIf, runIf) fails the run, naming it. A test
 * that cannot run on this machine fails with the reason instead (test/system-tools.ts).
 */
export default class NoSkipsReporter implements Reporter {
    onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
        const skipped = testModules.flatMap(module => [...module.children.allTests()]
            .filter(test => test.result().state === 'skipped')
            .map(test => `${module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}`));
        if (skipped.length > 0) {
            process.stderr.write(`\n${skipped.length} test${skipped.length === 1 ? ' was' : 's were'} skipped; npm test runs every test:\n${skipped.map(name => `  ${name}\n`).join('')}`);
            process.exitCode = 1;
        }
    }
}
