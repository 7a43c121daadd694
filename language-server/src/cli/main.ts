import { Command, CommanderError } from 'commander';
import { NodeFileSystem } from 'langium/node';
import { exitWhenWrapperGone } from '../exit-with-wrapper.js';
import { createFspecServices } from '../fspec-module.js';
import { buildCommand, runCommand, type BuildOptions, type RunOptions } from './build.js';
import { deployCommand, type DeployOptions } from './deploy.js';
import { diffCommand, lineageCommand, normalizeCommand, renderCommand, validateCommand, type CommandResult, type RenderCommandOptions } from './commands.js';
import { growCommand, type GrowOptions } from './grow.js';
import { UnsafeBuildFolder } from '../compiler/write-build.js';
import { InputError } from './load.js';
import { registerPipelineCommands } from './pipeline.js';
import { registerPipelineServeCommand } from './pipeline-serve.js';
import { rollbackCommand, type RollbackOptions } from './rollback.js';
import { testCommand, type TestOptions } from './test.js';
import { variantCommand, type VariantOptions } from './variant.js';

exitWhenWrapperGone();

const program = new Command('fspec')
    .description('Check, normalize and compare .fspec living-app specs.')
    .version('0.1.0')
    .showHelpAfterError()
    // Usage errors (a missing argument, an unknown option) are bad input: exit 2, not commander's 1.
    .exitOverride()
    .addHelpText('after', `
Exit codes: 0 success, 1 the spec has errors (grow: vetoed or failed), 2 bad input (no or missing file, unknown option, not a spec, too large), 130 interrupted.
Cross-version checks compare each spec with its last approved version: the newest fspec/<SpecName>/v<version> tag reachable from HEAD in its git repository, else .factory/approved/<SpecName>.fspec in its folder or an ancestor.`);

program.command('validate')
    .description('report diagnostics as file:line:col severity code message; exit 1 on errors')
    .argument('<paths...>', '.fspec files or folders (searched recursively)')
    .option('--json', 'print diagnostics as a JSON array')
    .action((paths: string[], options: { json?: boolean }) => run(services => validateCommand(services, paths, options)));

program.command('normalize')
    .description('print the spec graph as stable JSON')
    .argument('<file>', 'a .fspec file')
    .action((file: string) => run(services => normalizeCommand(services, file)));

program.command('diff')
    .description('classify the changes from <old> to <new> into morphs')
    .argument('<old>', 'the earlier version')
    .argument('<new>', 'the later version')
    .option('--json', 'print morphs as a JSON array')
    .action((oldFile: string, newFile: string, options: { json?: boolean }) => run(services => diffCommand(services, oldFile, newFile, options)));

program.command('render')
    .description('print a view of the spec as Mermaid text (flowchart, mindmap, board or lineage)')
    .argument('<file>', 'a .fspec file')
    .option('--mode <mode>', 'flowchart, mindmap, board or lineage', 'flowchart')
    .option('--pipeline <name>', 'flowchart of this one pipeline, for specs too large to show whole')
    .option('--out <file>', 'write the Mermaid text to this file instead of printing it')
    .action((file: string, options: RenderCommandOptions) => run(services => renderCommand(services, file, options)));

program.command('lineage')
    .description('list the stages and variants of the spec, its approved baseline, and the versions recorded in git')
    .argument('<file>', 'a .fspec file')
    .option('--json', 'print the lineage as JSON (as the fspec/lineage request answers)')
    .action((file: string, options: { json?: boolean }) => run(services => lineageCommand(services, file, options)));

program.command('grow')
    .description('grow the spec from its new desires: the crew plans, Safety checks, you review the mutation PR, the Historian commits and tags')
    .argument('<file>', 'a .fspec file in a git repository')
    .option('--yes', 'approve the mutation PR without asking')
    .option('--interactive', 'ask on the terminal (default when stdin is one; otherwise answers are read from stdin, one per line: "a" or "r <reason>")')
    .option('--json', 'print the result (with the mutation PR) as JSON')
    .option('--resume <run-id>', 'continue an interrupted run from its checkpoint in .factory/runs')
    .option('--init', 'create a git repository in the spec\'s folder if it is not in one')
    .action((file: string, options: GrowOptions) => run(services => growCommand(services, file, options,
        { input: process.stdin, messages: process.stderr, interactive: process.stdin.isTTY === true })));

program.command('rollback')
    .description('roll the spec back to an approved version: its text, its stored records (the migrations since undone) and its baseline, recorded as a commit')
    .argument('<file>', 'a .fspec file in a git repository')
    .requiredOption('--to <version>', 'the approved version to go back to, such as 0.2.0')
    .option('--yes', 'roll back without asking')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit 1 when the rollback is refused or not confirmed; nothing changes then.')
    .action((file: string, options: RollbackOptions) => run(services => rollbackCommand(services, file, options,
        { input: process.stdin, messages: process.stderr, interactive: process.stdin.isTTY === true })));

program.command('variant')
    .description('start a variant of the spec: a branch fspec/<Spec>/<name> at an approved version, checked out, so the growths that follow are the variant\'s versions (0.4.0-<name>)')
    .argument('<file>', 'a .fspec file in a git repository')
    .argument('<name>', 'the variant\'s name: a letter, then letters, digits or underscores')
    .option('--from <version>', 'the approved version to start from (default: the approved baseline)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit 1 when refused (unknown version, the variant exists, git would overwrite uncommitted edits); nothing changes then.')
    .action((file: string, name: string, options: VariantOptions) => run(services => variantCommand(services, file, name, options)));

program.command('build')
    .description('compile the spec into a runnable TypeScript app: types, JSON schemas, a module per step and gate, the pipeline runner, a record store, a web surface')
    .argument('<file>', 'a .fspec file')
    .option('--out <dir>', 'the build folder (default: .factory/build/<version>/ beside the spec)')
    .option('--json', 'print what was written as JSON')
    .addHelpText('after', '\nExit 1 when the spec has errors; nothing is written then. A body edited between its fspec:begin/end body markers is kept.')
    .action((file: string, options: BuildOptions) => run(services => buildCommand(services, file, options)));

program.command('run')
    .description('build the app (if needed) and serve its panels on 127.0.0.1, after running every pipeline once; prints the URL, Ctrl-C stops it')
    .argument('<file>', 'a .fspec file')
    .option('--port <n>', 'the port (default: FSPEC_APP_PORT, else a free one)')
    .option('--data <dir>', 'read records from this folder instead of records/ beside the spec')
    .option('--today <date>', 'the run date, YYYY-MM-DD (default: FSPEC_TODAY, else today)')
    .option('--out <dir>', 'the build folder (default: .factory/build/<version>/ beside the spec)')
    .action((file: string, options: RunOptions) => run(services => runCommand(services, file, options, process.stderr)));

program.command('test')
    .description('build the app, run its pipelines on the sample records and on generated edge cases in a sandbox, then every acceptance check; per test: pass, fail or not grown')
    .argument('<file>', 'a .fspec file')
    .argument('[tests...]', 'only these acceptance tests (default: all)')
    .option('--sandbox <kind>', 'local or daytona (needs DAYTONA_API_KEY)', 'local')
    .option('--today <date>', 'the run date, YYYY-MM-DD (default: FSPEC_TODAY, else today)')
    .option('--json', 'print the report as JSON (as the fspec/test request answers)')
    .option('--out <dir>', 'the build folder (default: .factory/build/<version>/ beside the spec)')
    .addHelpText('after', '\nExit 0 when every test passes, 1 when one fails or is not grown (or the spec has errors), 2 for bad input.')
    .action((file: string, tests: string[], options: TestOptions) => run(services => testCommand(services, file, tests, options)));

program.command('deploy')
    .description('the Deployer: build the app of the approved version, run its acceptance tests in a sandbox, and only when all pass mark the version deployed (tag fspec/<Spec>/deployed/v<version>)')
    .argument('<file>', 'a .fspec file in a git repository')
    .option('--sandbox <kind>', 'local or daytona (needs DAYTONA_API_KEY)', 'local')
    .option('--today <date>', 'the run date, YYYY-MM-DD (default: FSPEC_TODAY, else today)')
    .option('--json', 'print the result (with the acceptance report) as JSON')
    .addHelpText('after', '\nExit 0 deployed; 1 a test failed or the deploy was refused (the deployed version stays what it was); 2 bad input.')
    .action((file: string, options: DeployOptions) => run(services => deployCommand(services, file, options)));

registerPipelineServeCommand(registerPipelineCommands(program));

async function run(command: (services: ReturnType<typeof createFspecServices>['Fspec']) => Promise<CommandResult>): Promise<void> {
    try {
        const result = await command(createFspecServices(NodeFileSystem).Fspec);
        if (result.stdout) {
            process.stdout.write(result.stdout + '\n');
        }
        if (result.stderr) {
            process.stderr.write(result.stderr + '\n');
        }
        process.exitCode = result.exitCode;
    } catch (error) {
        if (error instanceof InputError) {
            process.stderr.write(`fspec: ${error.message}\n`);
            process.exitCode = 2;
        } else if (error instanceof UnsafeBuildFolder) {
            process.stderr.write(`fspec: ${error.message}\n`);
            process.exitCode = 1;
        } else {
            throw error;
        }
    }
}

program.parseAsync(process.argv).catch(error => {
    if (!(error instanceof CommanderError)) {
        throw error;
    }
    // Commander has printed the error (or the help, or the version) already.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
});
