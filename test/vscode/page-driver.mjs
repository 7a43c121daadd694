// What the real-VS-Code suite cannot do from the extension host: act on the page as a user would.
// The suite logs `driverPrefix + {id, action, …}`; the answer is written to `<driver dir>/<id>.json`.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const driverPrefix = '[fspec-driver] ';

/** The first frame (the workbench or a webview's) where `selector` matches something. */
async function frameWith(page, selector) {
    for (const frame of page.frames()) {
        if (await frame.locator(selector).count().catch(() => 0) > 0) return frame;
    }
    return undefined;
}

async function texts(page, selector) {
    const frame = await frameWith(page, selector);
    return frame ? frame.locator(selector).evaluateAll(elements => elements.map(e => e.textContent.trim())) : [];
}

async function poll(timeoutMs, attempt) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const outcome = await attempt();
        if (outcome.done || Date.now() > deadline) return outcome;
        await new Promise(resolve => setTimeout(resolve, 250));
    }
}

const actions = {
    /** Key presses on the focused element, e.g. `Control+Shift+M`. */
    async press(page, { keys }) {
        for (const key of keys) await page.keyboard.press(key);
        return null;
    },
    /** Text of every element matching `selector`, once all of `includes` are among them (substring match). */
    async texts(page, { selector, includes = [], timeoutMs = 20_000 }) {
        const outcome = await poll(timeoutMs, async () => {
            const found = await texts(page, selector);
            const missing = includes.filter(want => !found.some(text => text.includes(want)));
            return { done: found.length > 0 && missing.length === 0, found, missing };
        });
        if (!outcome.done) {
            throw new Error(`${selector}: ${outcome.found.length === 0 ? 'nothing found' : `missing ${JSON.stringify(outcome.missing)} among ${JSON.stringify(outcome.found.slice(0, 30))}`}`);
        }
        return outcome.found;
    },
    /** Texts of the elements matching `selector` in every frame now, without waiting (none is an answer too). */
    async textsNow(page, { selector }) {
        const all = await Promise.all(page.frames().map(frame => frame.locator(selector).evaluateAll(elements => elements.map(e => e.textContent.trim())).catch(() => [])));
        return all.flat();
    },
    /** The computed value of a CSS `property` for each element matching `selector`. */
    async computedStyle(page, { selector, property }) {
        const frame = await frameWith(page, selector);
        if (!frame) throw new Error(`nothing matches ${selector}`);
        return frame.locator(selector).evaluateAll((elements, property) => elements.map(e => getComputedStyle(e).getPropertyValue(property)), property);
    },
    /** A real mouse click on the first element matching `selector` whose text contains `text`. */
    async click(page, { selector, text = '', timeoutMs = 20_000 }) {
        const outcome = await poll(timeoutMs, async () => {
            const frame = await frameWith(page, selector);
            const target = frame?.locator(selector).filter({ hasText: text }).first();
            return { done: target !== undefined && await target.count() > 0, target };
        });
        if (!outcome.done) throw new Error(`no ${selector} with text ${JSON.stringify(text)} to click`);
        await outcome.target.click();
        return null;
    },
    /**
     * Types `text` into the focused editor and measures, in the page's own clock, from the last
     * keystroke until an element matching `selector` with `label` in its text is in a frame's DOM.
     */
    async typeAndMeasure(page, { text, selector, label, timeoutMs = 20_000 }) {
        const frame = await frameWith(page, selector);
        if (!frame) throw new Error(`no frame with ${selector}`);
        await frame.evaluate(([selector, label]) => {
            window.fspecWatch = { selector, label, seenAt: undefined };
            if (window.fspecObserver) return;
            const check = () => {
                const watch = window.fspecWatch;
                if (watch.seenAt === undefined && [...document.querySelectorAll(watch.selector)].some(e => e.textContent.includes(watch.label))) {
                    watch.seenAt = Date.now();
                }
            };
            window.fspecObserver = new MutationObserver(check);
            window.fspecObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
        }, [selector, label]);
        await page.keyboard.type(text.slice(0, -1));
        const typedAt = await page.evaluate(() => Date.now());
        await page.keyboard.press(text.at(-1));
        const seenAt = await frame.waitForFunction(() => window.fspecWatch.seenAt, undefined, { timeout: timeoutMs, polling: 50 }).then(h => h.jsonValue());
        return seenAt - typedAt;
    },
    /** A picture of the page: `failure` ones go to test-results/, the others (the README's) to out/screenshots/. */
    async screenshot(page, { name, failure = false }, folders) {
        const folder = failure ? folders.failures : folders.pictures;
        fs.mkdirSync(folder, { recursive: true });
        const file = path.join(folder, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
    }
};

/** `folders`: `failures` (test-results/) and `pictures` (screenshots taken on purpose). */
export function createDriver(page, driverDir, folders) {
    const failures = [];
    return {
        failures,
        async handle(request) {
            let answer;
            try {
                answer = { ok: true, result: await actions[request.action](page, request, folders) };
            } catch (error) {
                failures.push(`${request.action}: ${error.message}`);
                fs.mkdirSync(folders.failures, { recursive: true });
                await page.screenshot({ path: path.join(folders.failures, `driver-${request.id}-${request.action}.png`) }).catch(() => undefined);
                answer = { ok: false, error: error.message };
            }
            fs.writeFileSync(path.join(driverDir, `${request.id}.json.tmp`), JSON.stringify(answer));
            fs.renameSync(path.join(driverDir, `${request.id}.json.tmp`), path.join(driverDir, `${request.id}.json`));
        }
    };
}
