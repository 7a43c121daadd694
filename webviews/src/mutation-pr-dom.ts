/**
 * The mutation PR's page, built from the PR: header with the review bar, Safety's verdict, the
 * desires, the morphs, the migration of stored records, the flowchart before and after, the
 * tests, adapters and panels. Tests and users rely on `data-action`, `data-line`, `data-side` and
 * the section ids.
 */
import { describeOp } from '../../language-server/src/model/record-migration-ops.js';
import type { PrReview, PrStatus, PrView } from './messages.js';
import { prVersions } from './mutation-pr-summary.js';

export type Side = 'before' | 'after';

export interface PrPage {
    review: {
        bar: HTMLElement;
        approve: HTMLButtonElement;
        reject: HTMLButtonElement;
        /** Shown after Reject: the reason, and the buttons that send or drop the rejection. */
        reasonForm: HTMLElement;
        reason: HTMLInputElement;
        confirmReject: HTMLButtonElement;
        status: HTMLElement;
    };
    /** Where each flowchart's SVG goes. */
    diagrams: Record<Side, HTMLElement>;
}

const statusTitles: Record<PrStatus, string> = {
    'nothing-to-grow': 'Nothing to grow', 'awaiting-review': 'Awaiting review', grown: 'Grown', rejected: 'Rejected',
    vetoed: 'Vetoed by Safety', failed: 'Failed', cancelled: 'Cancelled'
};

type Child = Node | string;

function element<K extends keyof HTMLElementTagNameMap>(document: Document, tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
}

function button(document: Document, text: string, action: string, className = 'secondary'): HTMLButtonElement {
    const node = element(document, 'button', { type: 'button', textContent: text, className });
    node.dataset.action = action;
    return node;
}

/** A test result's badge: its words and its colour. */
const testBadge: Record<PrView['simulation']['tests'][number]['status'], [string, string]> = {
    'pass': ['passes', 'ok'], 'fail': ['fails', 'bad'], 'not-grown': ['not grown', 'bad'], 'missing': ['missing', 'bad'], 'not-run': ['not run', 'muted']
};

function badge(document: Document, text: string, kind: string): HTMLElement {
    return element(document, 'span', { className: `badge ${kind}`, textContent: text });
}

function section(document: Document, id: string, title: string, ...content: Child[]): HTMLElement {
    return element(document, 'section', { id }, element(document, 'h2', { textContent: title }), ...content);
}

function list<T>(document: Document, items: readonly T[], empty: string, item: (value: T) => Child[]): HTMLElement {
    if (items.length === 0) {
        return element(document, 'p', { className: 'empty', textContent: empty });
    }
    return element(document, 'ul', {}, ...items.map(value => element(document, 'li', {}, ...item(value))));
}

/** `label: a, b` when there is something to list. */
function named(label: string, values: readonly string[] | undefined): string[] {
    return values?.length ? [` · ${label} ${values.join(', ')}`] : [];
}

/** Replaces the page's content with the PR. */
export function createPrPage(document: Document, pr: PrView): PrPage {
    const { from, to } = prVersions(pr);
    const review = {
        bar: element(document, 'div', { id: 'fspec-review' }),
        approve: button(document, 'Approve', 'approve', 'primary'),
        reject: button(document, 'Reject…', 'reject'),
        reasonForm: element(document, 'div', { className: 'reason', hidden: true }),
        reason: element(document, 'input', { type: 'text', placeholder: 'Why reject this growth? (recorded with the run)' }),
        confirmReject: button(document, 'Reject growth', 'confirm-reject', 'primary'),
        status: element(document, 'p', { className: 'status' })
    };
    review.reason.setAttribute('aria-label', 'Reason for the rejection');
    review.reasonForm.append(review.reason, review.confirmReject, button(document, 'Cancel', 'cancel-reject'));
    review.bar.append(review.approve, review.reject, review.reasonForm, review.status);

    const verdict = pr.safety.verdict === 'approved' ? badge(document, 'Safety approved', 'ok') : badge(document, 'Vetoed by Safety', 'bad');
    const header = element(document, 'header', { id: 'fspec-pr-header' },
        element(document, 'h1', {}, `${pr.spec.name} `, element(document, 'span', { className: 'versions', textContent: `${from} → ${to}` })),
        element(document, 'p', { className: 'meta' },
            'Stage ', element(document, 'code', { textContent: pr.stage.name }), pr.stage.from ? ` from ${pr.stage.from}` : '',
            ` · Planner ${pr.planner} · Risk `, badge(document, pr.simulation.risk, `risk-${pr.simulation.risk}`), ' ', verdict, ' ',
            button(document, 'Show text diff', 'show-diff', 'link')),
        review.bar);

    const diagrams = { before: element(document, 'div', { className: 'diagram-body' }), after: element(document, 'div', { className: 'diagram-body' }) };
    const figure = (side: Side, caption: string, legend: HTMLElement) => {
        const node = element(document, 'figure', {}, element(document, 'figcaption', {}, caption, ' ', legend), diagrams[side]);
        node.dataset.side = side;
        diagrams[side].textContent = 'Rendering…';
        return node;
    };
    const main = element(document, 'main', {},
        section(document, 'fspec-safety', 'Safety', safetyContent(document, pr)),
        section(document, 'fspec-desires', 'Desires', list(document, pr.desires, 'No new desires.', desire => [
            element(document, 'code', { textContent: desire.name }), desire.goal ? ` — ${desire.goal}` : '',
            ...named('constraints', desire.constraints), ...named('trusted sources', desire.trusted_sources),
            ...named('outputs', desire.outputs), ...named('cadence', desire.cadence ? [desire.cadence] : [])
        ])),
        section(document, 'fspec-morphs', 'Morphs', morphTable(document, pr)),
        section(document, 'fspec-migration', 'Migration of stored records', ...migrationContent(document, pr.migration)),
        flowcharts(document, element(document, 'div', { className: 'sides' },
            figure('before', `Before · ${from}`, badge(document, 'removed', 'removed')),
            figure('after', `After · ${to}`, badge(document, 'added', 'added')))),
        section(document, 'fspec-tests', 'Tests', list(document, pr.simulation.tests, 'No tests are required.', test => [
            element(document, 'code', { textContent: test.name }), ' ', badge(document, ...testBadge[test.status]),
            test.required ? ' required' : '', test.text ? ` ${test.text}` : '',
            ...test.detail ? [element(document, 'p', { className: 'detail', textContent: test.detail })] : []
        ])),
        section(document, 'fspec-adapters', 'Adapters (Toolsmith)', list(document, pr.adapters, 'No new sources need adapters.', adapter => [
            element(document, 'code', { textContent: adapter.source }),
            ...named('delivers', adapter.entities), ...named('cadence', adapter.cadence ? [adapter.cadence] : []),
            ...named('tier', adapter.tier ? [adapter.tier] : []), ...named('from', adapter.url ? [adapter.url] : [])
        ])),
        section(document, 'fspec-bodies', 'Step bodies written by the model (Toolsmith)', list(document, pr.bodies, 'The Toolsmith wrote every step body itself.', written => [
            element(document, 'code', { textContent: written.stage }), ' ',
            written.body
                ? badge(document, `accepted after ${written.attempts} answer${written.attempts === 1 ? '' : 's'}`, 'ok')
                : badge(document, `refused ${written.attempts} answer${written.attempts === 1 ? '' : 's'}: not grown`, 'bad'),
            ...written.body
                ? [` ${written.body.summary}`, element(document, 'pre', {}, element(document, 'code', { textContent: written.body.code }))]
                : (written.problems ?? []).map(problem => element(document, 'p', { className: 'detail', textContent: problem }))
        ])),
        section(document, 'fspec-panels', 'New panels (Surface)', list(document, pr.panels, 'No new panels.', panel => [
            element(document, 'code', { textContent: panel.panel }), panel.title ? ` ${panel.title}` : '', ...named('for', panel.for),
            list(document, panel.sections, 'Shows nothing yet.', s => [element(document, 'code', { textContent: s.entity }), s.fields.length ? `: ${s.fields.join(', ')}` : ''])
        ])));
    document.body.replaceChildren(header, main);
    return { review, diagrams };
}

/** The flowcharts' section, with the button that switches between fitted and actual size. */
function flowcharts(document: Document, sides: HTMLElement): HTMLElement {
    const node = section(document, 'fspec-flowcharts', 'Flowchart', sides);
    node.querySelector('h2')!.append(button(document, 'Actual size', 'toggle-size', 'secondary'));
    return node;
}

/** Switches the flowcharts between fitted to their columns and actual size. */
export function toggleActualSize(page: PrPage): void {
    const section = page.diagrams.before.closest('section')!;
    const actual = section.classList.toggle('actual-size');
    section.querySelector('[data-action="toggle-size"]')!.textContent = actual ? 'Fit to width' : 'Actual size';
}

function safetyContent(document: Document, pr: PrView): HTMLElement {
    if (pr.safety.verdict === 'approved') {
        return element(document, 'p', { textContent: 'No identity invariant or morph rule is broken.' });
    }
    return list(document, pr.safety.vetoes, 'Vetoed.', veto => {
        const line = button(document, `line ${veto.line}`, 'show-line', 'link');
        line.dataset.line = String(veto.line);
        return [badge(document, veto.code, 'bad'), ` ${veto.message} `, line];
    });
}

function morphTable(document: Document, pr: PrView): HTMLElement {
    const head = element(document, 'tr', {}, ...['Morph', 'Change', 'Risk', 'Review', 'Required tests'].map(title => element(document, 'th', { textContent: title })));
    const rows = pr.simulation.morphs.map(morph => element(document, 'tr', {},
        element(document, 'td', {}, element(document, 'code', { textContent: morph.kind })),
        element(document, 'td', { textContent: morph.detail }),
        element(document, 'td', {}, morph.risk ? badge(document, morph.risk, `risk-${morph.risk}`) : element(document, 'span', { className: 'muted', textContent: 'no rule' })),
        element(document, 'td', { textContent: morph.review ?? '—' }),
        element(document, 'td', { textContent: morph.tests.join(', ') || '—' })));
    return element(document, 'table', {}, element(document, 'thead', {}, head), element(document, 'tbody', {}, ...rows));
}

/** The Migrator's ops in the order they run, then the records files they change. */
function migrationContent(document: Document, migration: PrView['migration']): HTMLElement[] {
    const ops = list(document, migration?.ops ?? [], 'Stored records keep their shape.', op => [element(document, 'code', { textContent: describeOp(op) })]);
    return migration?.ops.length ? [ops, migratedFiles(document, migration.files)] : [ops];
}

/** `Migrates records/Contract.json (3 records).`; ops on entities with no records file change nothing yet. */
function migratedFiles(document: Document, files: NonNullable<PrView['migration']>['files']): HTMLElement {
    if (files.length === 0) {
        return element(document, 'p', { className: 'empty', textContent: 'No records of these entities are stored yet.' });
    }
    const listed = files.flatMap((f, index) => [index ? ', ' : '', element(document, 'code', { textContent: f.file }), ` (${f.records} record${f.records === 1 ? '' : 's'})`]);
    return element(document, 'p', {}, 'Migrates ', ...listed, '.');
}

/**
 * The review bar for a review state: Approve (only for a PR Safety approved) and Reject while open,
 * disabled while deploying, and once ended its final status instead of the buttons.
 */
export function showReview(page: PrPage, pr: PrView, review: PrReview, rejecting: boolean): void {
    const { approve, reject, reasonForm, reason, confirmReject, status } = page.review;
    const open = review.phase === 'open';
    approve.hidden = pr.safety.verdict !== 'approved' || review.phase === 'ended';
    reject.hidden = review.phase === 'ended' || (rejecting && open);
    reasonForm.hidden = !(rejecting && open);
    approve.disabled = reject.disabled = !open;
    confirmReject.disabled = !open || reason.value.trim() === '';
    status.className = `status ${review.phase === 'ended' ? review.status : review.phase}`;
    status.replaceChildren(...statusContent(page, review));
}

function statusContent(page: PrPage, review: PrReview): Child[] {
    const document = page.review.bar.ownerDocument;
    switch (review.phase) {
        case 'open': return [];
        case 'deploying': return [review.decision === 'approve' ? 'Approving: applying, migrating, recording and deploying the growth…' : 'Rejecting…'];
        case 'ended': return [element(document, 'strong', { textContent: statusTitles[review.status] }), ` ${review.message}`];
    }
}

export function showSvg(container: HTMLElement, svgText: string): SVGSVGElement {
    container.innerHTML = svgText;
    const svg = container.querySelector('svg');
    if (!svg) {
        throw new Error('Mermaid returned no SVG.');
    }
    return svg;
}

export function showDiagramError(container: HTMLElement, message: string): void {
    container.replaceChildren(container.ownerDocument.createTextNode(`Mermaid could not draw this flowchart: ${message}`));
}
