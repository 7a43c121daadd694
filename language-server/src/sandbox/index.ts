/** Sandboxed execution of code snippets and shell commands: the public API. */
export { createSandbox } from './create-sandbox.js';
export { LocalSandbox, type LocalSandboxOptions } from './local-sandbox.js';
export type { SandboxEnv } from './daytona-settings.js';
export {
    SandboxError,
    SandboxRequestError,
    type Sandbox,
    type SandboxFile,
    type SandboxKind,
    type SandboxLanguage,
    type SandboxRequest,
    type SandboxResponse
} from './sandbox.js';
