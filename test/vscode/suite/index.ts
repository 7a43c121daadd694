// extensionTestsPath: VS Code loads this bundle (out/test/vscode-suite.cjs) in its extension host and awaits run().
import { runAll } from './harness.js';
import './language-features.js';
import './preview.js';
import './autosave.js';
import './crew.js';
import './pipelines.js';

export async function run(): Promise<void> {
    await runAll();
}
