/**
 * The environment of a command a pipeline stage runs (a `tool_command`, the model's `shell` tool, a
 * tool hook): never the engine's own as a whole, which holds its API keys and tokens, but an
 * allow-list of it — what a shell needs to work (PATH, HOME, locale, TMPDIR, TZ, TERM, user and
 * shell names) — plus the variables the pipeline names in its graph attribute `tool_env`, plus the
 * stage's own `ATTRACTOR_*` values.
 */
const PASSED = ['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TMPDIR', 'TZ', 'TERM', 'USER', 'LOGNAME', 'SHELL'];
const PASSED_PREFIXES = ['LC_'];

/** The names a `tool_env` value lists (comma-separated). */
export function declaredVariables(toolEnv: string | undefined): string[] {
    return (toolEnv ?? '').split(',').map(name => name.trim()).filter(name => name !== '');
}

export function stageEnvironment(toolEnv: string | undefined, stage: Readonly<Record<string, string>>, source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const declared = new Set(declaredVariables(toolEnv));
    const passed = Object.entries(source).filter(([name, value]) => value !== undefined
        && (PASSED.includes(name) || PASSED_PREFIXES.some(prefix => name.startsWith(prefix)) || declared.has(name)));
    return { ...Object.fromEntries(passed), ...stage };
}
