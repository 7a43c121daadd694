// What the project needs from the system. As root on Debian it is installed with apt-get (saying
// which packages and why); otherwise the command stops with one sentence naming what is missing and
// how to install it. Used by `npm start` (code-server's build packages) and `npm test`
// (Chromium, which the webview tests and the real-VS-Code suite drive, and Python 3 for the sandbox).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const chromiumCandidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Something missing the project cannot install itself; its message is the one sentence to show. */
export class MissingTool extends Error {}

/** Chromium's executable: `CHROMIUM` when set, else the first of Debian's and Chrome's usual paths. */
export function chromiumPath() {
    if (process.env.CHROMIUM) return fs.existsSync(process.env.CHROMIUM) ? process.env.CHROMIUM : undefined;
    return chromiumCandidates.find(file => fs.existsSync(file));
}

function onPath(name) {
    return (process.env.PATH ?? '').split(path.delimiter).some(dir => dir && fs.existsSync(path.join(dir, name)));
}

let debian;
/** Whether this is a Debian system (dpkg answers); asked once. */
const isDebian = () => debian ??= spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status === 0;

function installedDebianPackages(names) {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...names], { encoding: 'utf8' });
    return new Set(result.stdout.split('\n').filter(line => line.endsWith('install ok installed')).map(line => line.split(/[ :]/)[0]));
}

/** One sentence saying which of `needs` are not installed, why they are needed and how to get them; undefined when all are. */
export function missingMessage(needs) {
    const missing = needs.filter(need => !need.found());
    return missing.length === 0 ? undefined : describeMissing(missing);
}

/** The sentence for `missing`, needs known not to be installed. */
function describeMissing(missing) {
    const names = missing.map(need => need.name);
    const subject = names.length === 1 ? `${names[0]} is` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are`;
    const how = isDebian() ? `run \`sudo apt-get update && sudo apt-get install -y ${missing.map(need => need.debian).join(' ')}\`` : `install ${names.join(', ')}`;
    const alternatives = missing.filter(need => need.alternative).map(need => `, ${need.alternative}`).join('');
    return `${subject} not installed (${[...new Set(missing.map(need => need.why))].join('; ')}): ${how}${alternatives}.`;
}

/**
 * Installs the `needs` (each `{ name, debian, why, found(), alternative? }`) that are not found: with
 * apt-get as root on Debian, one line saying which and why; else throws MissingTool saying what to run.
 */
export function ensureSystemPackages(needs, { log = line => process.stderr.write(`${line}\n`) } = {}) {
    const missing = needs.filter(need => !need.found());
    if (missing.length === 0) return;
    if (!isDebian() || process.getuid?.() !== 0) throw new MissingTool(describeMissing(missing));
    const packages = missing.map(need => need.debian);
    const reasons = [...new Set(missing.map(need => need.why))];
    const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
    log(`Installing Debian's ${reasons.map(why => `${missing.filter(need => need.why === why).map(need => need.debian).join(', ')} (${why})`).join(' and ')} with apt-get, once.`);
    const result = spawnSync('sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) throw new MissingTool(`\`${command}\` failed (exit ${result.status}): ${(result.stderr.trim() || result.stdout.trim()).split('\n').at(-1)}`);
    const still = missing.filter(need => !need.found());
    if (still.length) throw new MissingTool(`apt-get installed ${packages.join(' ')}, yet ${still.map(need => need.name).join(' and ')} is still not found.`);
}

/** A Debian package that counts as found once dpkg says it is installed (headers, libraries). */
export function debianPackage(debian, why) {
    return { name: debian, debian, why, found: () => !isDebian() || installedDebianPackages([debian]).has(debian) };
}

export const chromium = {
    name: 'Chromium', debian: 'chromium', why: 'the webview tests and the real-VS-Code suite run in it',
    alternative: 'or set CHROMIUM to a Chromium or Chrome executable', found: () => chromiumPath() !== undefined
};

export const python3 = { name: 'Python 3', debian: 'python3', why: 'the sandbox tests run Python code', found: () => onPath('python3') };

/** What `npm test` needs from the system beyond code-server. */
export const testTools = [chromium, python3];
