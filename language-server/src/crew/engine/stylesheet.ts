/**
 * The model stylesheet (§8): CSS-like rules that give nodes `llm_model`, `llm_provider` and
 * `reasoning_effort`. Selectors: `*` < shape name < `.class` < `#id`; among equal specificity the
 * later rule wins; an attribute written on the node always wins.
 */
import { mapNodes, withNodeAttrs, type PipelineGraph, type PipelineNode } from './pipeline-graph.js';

export const STYLESHEET_PROPERTIES = ['llm_model', 'llm_provider', 'reasoning_effort'] as const;
export type StylesheetProperty = typeof STYLESHEET_PROPERTIES[number];

export type Selector =
    | { readonly kind: 'universal' }
    | { readonly kind: 'shape'; readonly shape: string }
    | { readonly kind: 'class'; readonly className: string }
    | { readonly kind: 'id'; readonly id: string };

export interface StylesheetRule {
    readonly selector: Selector;
    readonly declarations: Readonly<Partial<Record<StylesheetProperty, string>>>;
}

export class StylesheetSyntaxError extends Error {
    constructor(message: string, readonly offset: number) {
        super(`model_stylesheet at offset ${offset}: ${message}`);
        this.name = 'StylesheetSyntaxError';
    }
}

const SPECIFICITY: Record<Selector['kind'], number> = { universal: 0, shape: 1, class: 2, id: 3 };

const TOKEN = {
    space: /\s*/y,
    selector: /(\*|#[A-Za-z_][A-Za-z0-9_]*|\.[a-z0-9-]+|[A-Za-z_][A-Za-z0-9_]*)/y,
    property: /([A-Za-z_][A-Za-z0-9_]*)/y,
    value: /("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.:\/-]+)/y
};

/** Parses a stylesheet; throws StylesheetSyntaxError. */
export function parseStylesheet(text: string): StylesheetRule[] {
    let at = 0;
    const skipSpace = () => {
        TOKEN.space.lastIndex = at;
        TOKEN.space.exec(text);
        at = TOKEN.space.lastIndex;
    };
    const read = (pattern: RegExp, what: string): string => {
        skipSpace();
        pattern.lastIndex = at;
        const match = pattern.exec(text);
        if (!match) {
            throw new StylesheetSyntaxError(`expected ${what}`, at);
        }
        at = pattern.lastIndex;
        return match[1];
    };
    const expect = (char: string) => {
        skipSpace();
        if (text[at] !== char) {
            throw new StylesheetSyntaxError(`expected "${char}"`, at);
        }
        at++;
    };
    const rules: StylesheetRule[] = [];
    skipSpace();
    while (at < text.length) {
        const selector = toSelector(read(TOKEN.selector, 'a selector (*, shape, .class or #id)'));
        expect('{');
        const declarations: Partial<Record<StylesheetProperty, string>> = {};
        skipSpace();
        while (text[at] !== '}') {
            const propertyAt = at;
            const property = read(TOKEN.property, 'a property');
            if (!(STYLESHEET_PROPERTIES as readonly string[]).includes(property)) {
                throw new StylesheetSyntaxError(`unknown property "${property}" (expected ${STYLESHEET_PROPERTIES.join(', ')})`, propertyAt);
            }
            expect(':');
            const value = read(TOKEN.value, 'a value');
            declarations[property as StylesheetProperty] = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
            skipSpace();
            if (text[at] === ';') {
                at++;
                skipSpace();
            } else if (text[at] !== '}') {
                throw new StylesheetSyntaxError('expected ";" or "}"', at);
            }
        }
        at++;
        rules.push({ selector, declarations });
        skipSpace();
    }
    return rules;
}

function toSelector(text: string): Selector {
    if (text === '*') {
        return { kind: 'universal' };
    }
    if (text.startsWith('#')) {
        return { kind: 'id', id: text.slice(1) };
    }
    if (text.startsWith('.')) {
        return { kind: 'class', className: text.slice(1) };
    }
    return { kind: 'shape', shape: text };
}

function matches(selector: Selector, node: PipelineNode): boolean {
    switch (selector.kind) {
        case 'universal':
            return true;
        case 'shape':
            return node.shape === selector.shape;
        case 'class':
            return node.classes.includes(selector.className);
        case 'id':
            return node.id === selector.id;
    }
}

/** The stylesheet values for one node, before its own attributes are considered. */
export function resolveStyle(rules: readonly StylesheetRule[], node: PipelineNode): Partial<Record<StylesheetProperty, string>> {
    const resolved: Partial<Record<StylesheetProperty, string>> = {};
    const specificity: Partial<Record<StylesheetProperty, number>> = {};
    for (const rule of rules) {
        if (!matches(rule.selector, node)) {
            continue;
        }
        const weight = SPECIFICITY[rule.selector.kind];
        for (const [property, value] of Object.entries(rule.declarations) as [StylesheetProperty, string][]) {
            // `>=`: a later rule of equal specificity overrides an earlier one.
            if (weight >= (specificity[property] ?? -1)) {
                resolved[property] = value;
                specificity[property] = weight;
            }
        }
    }
    return resolved;
}

/** The stylesheet transform (§8.5): fills the properties a node does not set itself. */
export function applyModelStylesheet(graph: PipelineGraph): PipelineGraph {
    if (graph.model_stylesheet.trim() === '') {
        return graph;
    }
    let rules: StylesheetRule[];
    try {
        rules = parseStylesheet(graph.model_stylesheet);
    } catch (e) {
        // Transforms run before validation, whose stylesheet_syntax rule reports the error.
        if (e instanceof StylesheetSyntaxError) {
            return graph;
        }
        throw e;
    }
    return mapNodes(graph, node => {
        const style = resolveStyle(rules, node);
        const missing = Object.fromEntries(Object.entries(style).filter(([property]) => node.attrs[property] === undefined));
        return Object.keys(missing).length === 0 ? node : withNodeAttrs(node, missing);
    });
}
