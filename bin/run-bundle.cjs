// Starts a bundle from out/ on Node >= 22 (langium 4 needs it); an older node re-runs it with the pinned `node` package.
const path = require('node:path');
const { spawnSync } = require('node:child_process');

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
    const result = spawnSync(pinned, [file, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(result.status ?? 1);
};
