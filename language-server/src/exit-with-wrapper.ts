/**
 * On a node older than 22, bin/run-bundle.cjs starts the bundle on the project's pinned Node and
 * passes its own PID in FSPEC_WRAPPER_PID. The wrapper forwards the signals it can catch; a SIGKILL
 * it cannot, and the bundle would live on as an orphan nobody stops (a language server after its
 * editor was killed). So once the wrapper is gone (this process has another parent), it exits.
 */
export function exitWhenWrapperGone(): void {
    const wrapper = Number(process.env.FSPEC_WRAPPER_PID);
    if (!wrapper) {
        return;
    }
    // What this process starts is not the wrapper's child.
    delete process.env.FSPEC_WRAPPER_PID;
    setInterval(() => {
        if (process.ppid !== wrapper) {
            process.exit(1);
        }
    }, 500).unref();
}
