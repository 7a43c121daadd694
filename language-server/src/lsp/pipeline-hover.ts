/**
 * Hover over a pipeline: an attribute key shows its catalog entry (type, default, where it applies,
 * its values); a `shape` value the handler it selects; a `type` value what that handler does; a node
 * id the node's handler, role and label.
 */
import type { Hover, Position } from 'vscode-languageserver';
import defaultCrewDot from '../crew/crew.dot';
import { CREW_ATTRIBUTES, crewNodeTypes } from '../crew/crew-vocabulary.js';
import {
    declaredHandlerType, findAttribute, parsePipeline, SHAPE_TO_HANDLER_TYPE,
    type AttributeInfo, type AttributeTarget, type PipelineNode
} from '../crew/engine/index.js';
import type { AnalyzedPipeline } from './pipeline-language.js';
import type { AttributeOwner, TextContext } from './pipeline-text.js';

/** What each built-in handler type does (Attractor §4), and the shape that selects it. */
export const HANDLER_DOCS: Readonly<Record<string, string>> = {
    start: 'The entry point (§4.3): does nothing and succeeds. A pipeline has exactly one (shape `Mdiamond`, or id `start`).',
    exit: 'The exit (§4.4): the run ends here once every goal gate is satisfied. A pipeline has exactly one (shape `Msquare`, or id `exit`/`end`).',
    codergen: 'An LLM task (§4.5): sends the node\'s `prompt` (or its label) to the model and records `prompt.md` and `response.md`; simulated when no model is configured (shape `box`, the default).',
    'wait.human': 'A human gate (§4.6): asks a multiple-choice question whose options are the outgoing edges\' labels (`[K] Label` sets the key) and goes along the chosen edge (shape `hexagon`).',
    conditional: 'A routing point (§4.7): succeeds at once, and the outgoing edges\' `condition`s choose the next node (shape `diamond`).',
    parallel: 'A fan-out (§4.8): runs the branches of its outgoing edges concurrently, joined by `join_policy` with at most `max_parallel` at once (shape `component`).',
    'parallel.fan_in': 'A fan-in (§4.9): joins the results of the parallel branches that lead to it (shape `tripleoctagon`).',
    tool: 'A tool (§4.10): runs `tool_command` in a shell in the pipeline\'s folder; its stdout becomes `tool.output` (shape `parallelogram`).',
    'stack.manager_loop': 'A manager loop (§4.11): supervises a child pipeline (`stack.child_dotfile`), observing it every `manager.poll_interval` (shape `house`).'
};

/** The shipped crew's steps by node type: who performs each and what it is for (its label). */
const CREW_STEPS: ReadonlyMap<string, PipelineNode> = new Map(
    [...(parsePipeline(defaultCrewDot).graph?.nodes.values() ?? [])].filter(n => n.type.startsWith('crew.')).map(n => [n.type, n])
);

/** What a handler type does, in Markdown; undefined for a type nobody registers. */
export function handlerDoc(type: string): string | undefined {
    const step = CREW_STEPS.get(type);
    if (step) {
        return `A step of the Factory crew, run while a spec grows${step.attrs.role ? ` (role ${step.attrs.role})` : ''}: ${step.label}.`;
    }
    if (type.startsWith('crew.')) {
        return crewNodeTypes().includes(type) ? 'A step of the Factory crew, run while a spec grows.' : undefined;
    }
    return HANDLER_DOCS[type];
}

const TARGET_NAMES: Record<AttributeTarget, string> = { graph: 'graph', node: 'node', edge: 'edge' };

function attributeMarkdown(info: AttributeInfo, owner: AttributeOwner): string {
    const facts = [
        `${owner.defaults ? `${TARGET_NAMES[info.on]} default` : `${TARGET_NAMES[info.on]} attribute`}`,
        `\`${info.type}\``,
        ...(info.default !== undefined && info.default !== '' ? [`default \`${info.default}\``] : []),
        info.source === 'graphviz' ? 'Graphviz' : info.source === 'crew' ? 'the crew' : info.source === 'engine' ? 'this engine' : `Attractor ${info.source}`
    ];
    const values = info.values?.length ? `\n\n${info.type === 'enum' ? 'Values' : 'For example'}: ${info.values.map(v => `\`${v}\``).join(', ')}` : '';
    return `**${info.key}** — ${facts.join(' · ')}\n\n${info.doc}${values}`;
}

function known(target: AttributeTarget, key: string): AttributeInfo | undefined {
    return findAttribute(target, key, CREW_ATTRIBUTES);
}

function attributeHover(owner: AttributeOwner, key: string, crew: boolean): string {
    const info = key === 'role' && !crew && owner.target === 'node' ? undefined : known(owner.target, key);
    if (info) {
        return attributeMarkdown(info, owner);
    }
    const elsewhere = (['graph', 'node', 'edge'] as const).filter(t => t !== owner.target && known(t, key));
    return `**${key}** — not ${owner.target === 'edge' ? 'an' : 'a'} ${owner.target} attribute${elsewhere.length ? `; it is an attribute of ${elsewhere.map(t => `the ${t}`).join(' and ')}` : ' the engine knows'}.`;
}

function handlerLine(type: string): string {
    const doc = handlerDoc(type);
    return doc ? `handler \`${type}\`: ${doc}` : `handler \`${type}\`, which is not registered: the node runs the default (codergen) handler.`;
}

function nodeHover(node: PipelineNode): string {
    const type = declaredHandlerType(node);
    const lines = [
        `**${node.id}** — ${node.label !== node.id ? `"${node.label}", ` : ''}${handlerLine(type)}`,
        ...(node.attrs.role ? [`Role: ${node.attrs.role}`] : []),
        ...(node.prompt ? [`Prompt: ${node.prompt.length > 300 ? `${node.prompt.slice(0, 300)}…` : node.prompt}`] : [])
    ];
    return lines.join('\n\n');
}

export function pipelineHover(analyzed: AnalyzedPipeline, context: TextContext, positionAt: (offset: number) => Position): Hover | null {
    const range = { start: positionAt(context.start), end: positionAt(context.end) };
    const markdown = (value: string): Hover => ({ contents: { kind: 'markdown', value }, range });
    switch (context.kind) {
        case 'key':
            return markdown(attributeHover(context.owner, context.key, analyzed.crew));
        case 'value': {
            if (context.key === 'shape' && context.owner.target === 'node') {
                const type = SHAPE_TO_HANDLER_TYPE[context.value];
                return markdown(type ? `**shape ${context.value}** — ${handlerLine(type)}` : `**shape ${context.value}** — no handler has this shape: the node runs the default (codergen) handler.`);
            }
            if (context.key === 'type' && context.owner.target === 'node') {
                return markdown(`**type ${context.value}** — ${handlerLine(context.value)}`);
            }
            const target = /^(fallback_)?retry_target$/.test(context.key) ? analyzed.parsed.graph?.nodes.get(context.value) : undefined;
            return markdown(target ? nodeHover(target) : attributeHover(context.owner, context.key, analyzed.crew));
        }
        case 'node': {
            const node = analyzed.parsed.graph?.nodes.get(context.id);
            return node ? markdown(nodeHover(node)) : null;
        }
    }
}
