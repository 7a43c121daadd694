// Starts a bundle from out/ on Node >= 22 (langium 4 needs it); an older node re-runs it with the pinned `node` package.
const path = require('node:path');
const { spawn } = require('node:child_process');
const { constants } = require('node:os');

module.exports = function runBundle(bundle) {
    const file = path.join(__dirname, '..', 'out', bundle);
    if (Number(process.versions.node.split('.')[0]) >= 22) {
        require(file);
        return;
    }
    let pinned;
    try {
        pinned = require.resolve('node/bin/node');
    } catch {
        process.stderr.write(`This needs Node 22 or newer (found ${process.version}); run npm install in the project to get its pinned Node.\n`);
        process.exit(2);
    }
    // The bundle exits once this wrapper is gone (language-server/src/exit-with-wrapper.ts): a SIGKILL here cannot be passed on.
    const child = spawn(pinned, [file, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, FSPEC_WRAPPER_PID: String(process.pid) } });
    // A stop meant for this process (an editor stopping its language server, a service manager) must
    // reach the bundle, or it lives on as an orphan. Ctrl-C already reaches both through the
    // terminal's process group, so SIGINT is only waited out here, not sent twice.
    for (const signal of ['SIGTERM', 'SIGHUP']) {
        process.on(signal, () => child.kill(signal));
    }
    process.on('SIGINT', () => undefined);
    child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
};
