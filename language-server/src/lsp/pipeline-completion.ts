/**
 * Completion in a pipeline: inside `[ … ]` the attribute keys of that place (a node's, an edge's,
 * the graph's; not those already written), after `key=` its values — shapes, handler types (the
 * crew's too), fidelity modes and other enums, booleans, the crew's roles, node ids for retry
 * targets, and the models pi-ai knows for `llm_provider` / `llm_model` (loaded on first use, from the
 * lazily loaded model bundle).
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type Position } from 'vscode-languageserver';
import { CREW_ATTRIBUTES, CREW_ROLES, crewNodeTypes } from '../crew/crew-vocabulary.js';
import { attributesOn, BUILT_IN_HANDLER_TYPES, findAttribute, SHAPE_TO_HANDLER_TYPE, type AttributeInfo } from '../crew/engine/index.js';
import { handlerDoc } from './pipeline-hover.js';
import { nodeIdsIn, type TextContext } from './pipeline-text.js';

interface Value {
    readonly value: string;
    readonly detail?: string;
    readonly doc?: string;
    readonly kind?: CompletionItemKind;
}

/** pi-ai's providers and models, loaded once; none when pi-ai cannot be loaded. */
let knownModels: Promise<{ providers: string[]; models: (provider: string) => Array<{ id: string; name: string }> }> | undefined;

function models() {
    knownModels ??= import('../crew/llm.js').then(
        ({ getProviders, getModels }) => ({
            providers: [...getProviders()],
            models: (provider: string) => (getModels as (p: string) => Array<{ id: string; name: string }>)(provider)
        }),
        () => ({ providers: [], models: () => [] })
    );
    return knownModels;
}

const HANDLER_TYPES = [...BUILT_IN_HANDLER_TYPES, 'stack.manager_loop'];
const CONDITIONS = ['outcome=success', 'outcome=fail', 'outcome=partial_success', 'outcome!=success', 'preferred_label=', 'context.'];

async function valuesOf(key: string, info: AttributeInfo | undefined, context: Extract<TextContext, { kind: 'value' }>, text: string): Promise<Value[]> {
    const owner = context.owner;
    if (key === 'shape' && owner.target === 'node') {
        return Object.entries(SHAPE_TO_HANDLER_TYPE).map(([shape, type]) => ({ value: shape, detail: `handler ${type}`, doc: handlerDoc(type), kind: CompletionItemKind.EnumMember }));
    }
    if (key === 'type' && owner.target === 'node') {
        return [...HANDLER_TYPES, ...crewNodeTypes()].map(type => ({ value: type, detail: type.startsWith('crew.') ? 'crew step' : 'handler', doc: handlerDoc(type), kind: CompletionItemKind.Class }));
    }
    if (key === 'role' && owner.target === 'node') {
        return CREW_ROLES.map(role => ({ value: role, detail: 'crew role', kind: CompletionItemKind.EnumMember }));
    }
    if (key === 'llm_provider') {
        return (await models()).providers.map(provider => ({ value: provider, detail: 'pi-ai provider', kind: CompletionItemKind.Module }));
    }
    if (key === 'llm_model') {
        const known = await models();
        const provider = owner.values.llm_provider;
        const providers = provider && known.providers.includes(provider) ? [provider] : known.providers;
        const seen = new Set<string>();
        return providers.flatMap(p => known.models(p).filter(m => !seen.has(m.id) && seen.add(m.id))
            .map(m => ({ value: m.id, detail: `${p}${m.name && m.name !== m.id ? ` · ${m.name}` : ''}`, kind: CompletionItemKind.Value })));
    }
    if (info?.type === 'node_id') {
        return nodeIdsIn(text).filter(id => id !== owner.nodeId).map(id => ({ value: id, detail: 'node', kind: CompletionItemKind.Reference }));
    }
    if (info?.type === 'condition') {
        return CONDITIONS.map(value => ({ value, detail: 'condition', kind: CompletionItemKind.Snippet }));
    }
    return (info?.values ?? []).map(value => ({ value, detail: info!.key, kind: CompletionItemKind.EnumMember }));
}

/** A value written bare when DOT allows it (an identifier or a number), else quoted. */
function written(value: string): string {
    return /^[A-Za-z_][A-Za-z0-9_]*$|^-?\d+(\.\d+)?$/.test(value) ? value : `"${value.replace(/["\\]/g, c => `\\${c}`)}"`;
}

export async function pipelineCompletion(text: string, crew: boolean, context: TextContext, positionAt: (offset: number) => Position): Promise<CompletionList | null> {
    const range = { start: positionAt(context.start), end: positionAt(context.end) };
    const extra = crew ? CREW_ATTRIBUTES : [];
    if (context.kind === 'key') {
        const followedByEquals = /^\s*=/.test(text.slice(context.end));
        const present = new Set(Object.keys(context.owner.values).filter(key => key !== context.key));
        const items: CompletionItem[] = attributesOn(context.owner.target, extra)
            .filter(info => !present.has(info.key))
            .map((info, index) => ({
                label: info.key,
                kind: CompletionItemKind.Property,
                detail: `${info.on} · ${info.type}${info.default ? ` = ${info.default}` : ''}`,
                documentation: { kind: 'markdown', value: info.doc },
                // The engine's attributes before Graphviz's cosmetics, each group in catalog order.
                sortText: `${info.cosmetic ? 1 : 0}${String(index).padStart(3, '0')}`,
                textEdit: { range, newText: followedByEquals ? info.key : `${info.key}=` },
                ...(!followedByEquals && (info.values?.length || ['node_id', 'handler_type'].includes(info.type) || ['llm_model', 'llm_provider'].includes(info.key))
                    && { command: { title: 'Suggest values', command: 'editor.action.triggerSuggest' } })
            }));
        return { isIncomplete: false, items };
    }
    if (context.kind !== 'value') {
        return null;
    }
    const info = findAttribute(context.owner.target, context.key, extra);
    const values = await valuesOf(context.key, info, context, text);
    const items: CompletionItem[] = values.map((v, index) => ({
        label: v.value,
        kind: v.kind ?? CompletionItemKind.Value,
        ...(v.detail && { detail: v.detail }),
        ...(v.doc && { documentation: { kind: 'markdown', value: v.doc } }),
        sortText: String(index).padStart(4, '0'),
        filterText: v.value,
        insertTextFormat: InsertTextFormat.PlainText,
        textEdit: { range, newText: context.quoted ? v.value : written(v.value) }
    }));
    return { isIncomplete: false, items };
}
