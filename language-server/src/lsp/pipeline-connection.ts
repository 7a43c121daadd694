/**
 * One connection, two languages. vscode-languageserver keeps one handler per LSP method, and
 * Langium registers its own for every text-document request when the server starts; a `.dot`
 * pipeline must not reach those (Langium has no services for it: it would answer an error, or wait
 * for a build that never comes). The connection handed to Langium is this wrapper: each handler
 * Langium (or anyone) registers for a text-document request is wrapped so that a request about a
 * pipeline document goes to the pipeline's own feature, or gets an empty answer when it has none,
 * and every other request goes to the handler as registered. Everything else passes through.
 */
import type { Connection } from 'vscode-languageserver';

// The handlers' params differ per method; the wrapper only reads `textDocument.uri`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (params: any, ...rest: any[]) => unknown;

/** What a pipeline language offers: which documents are its own, and its handlers by connection method name. */
export interface PipelineFeatures {
    handles(uri: string): boolean;
    /** `onHover`, `onCompletion`, … (or `semanticTokens.on` for the `languages` ones); others answer null. */
    readonly handlers: Readonly<Record<string, Handler | undefined>>;
}

/** Connection methods whose handler takes params with `textDocument.uri`. */
const DOCUMENT_REQUESTS = new Set([
    'onHover', 'onCompletion', 'onSignatureHelp', 'onDeclaration', 'onDefinition', 'onTypeDefinition', 'onImplementation',
    'onReferences', 'onDocumentHighlight', 'onDocumentSymbol', 'onCodeAction', 'onCodeLens', 'onDocumentFormatting',
    'onDocumentRangeFormatting', 'onDocumentOnTypeFormatting', 'onRenameRequest', 'onPrepareRename', 'onDocumentLinks',
    'onDocumentColor', 'onColorPresentation', 'onFoldingRanges', 'onSelectionRanges'
]);

/** The same under `connection.languages.<feature>`. */
const LANGUAGE_REQUESTS: Readonly<Record<string, readonly string[]>> = {
    semanticTokens: ['on', 'onDelta', 'onRange'],
    inlayHint: ['on'],
    inlineValue: ['on'],
    callHierarchy: ['onPrepare'],
    typeHierarchy: ['onPrepare'],
    linkedEditingRange: ['on'],
    foldingRange: ['on'],
    moniker: ['on']
};

export interface RoutedConnection {
    /** The connection to give Langium (and everything else). */
    readonly connection: Connection;
    /** Sets the pipeline language, once its services exist (requests before then all go to Langium). */
    route(features: PipelineFeatures): void;
}

export function routedConnection(connection: Connection): RoutedConnection {
    let features: PipelineFeatures | undefined;
    const wrap = (name: string, handler: Handler): Handler => (params, ...rest) => {
        const uri: unknown = params?.textDocument?.uri;
        if (features && typeof uri === 'string' && features.handles(uri)) {
            const own = features.handlers[name];
            return own ? own(params, ...rest) : null;
        }
        return handler(params, ...rest);
    };
    const registrar = (target: object, prefix: string, methods: ReadonlySet<string>) => new Proxy(target, {
        get(object, property) {
            const value: unknown = Reflect.get(object, property, object);
            if (typeof property === 'string' && methods.has(property) && typeof value === 'function') {
                return (handler: Handler) => (value as (h: Handler) => unknown).call(object, wrap(`${prefix}${property}`, handler));
            }
            return value;
        }
    });
    const languages = (target: object) => new Proxy(target, {
        get(object, property) {
            const value: unknown = Reflect.get(object, property, object);
            const methods = typeof property === 'string' ? LANGUAGE_REQUESTS[property] : undefined;
            return methods && value && typeof value === 'object' ? registrar(value, `${String(property)}.`, new Set(methods)) : value;
        }
    });
    const wrapped = new Proxy(connection, {
        get(object, property) {
            const value: unknown = Reflect.get(object, property, object);
            if (property === 'languages' && value && typeof value === 'object') {
                return languages(value);
            }
            if (typeof property === 'string' && DOCUMENT_REQUESTS.has(property) && typeof value === 'function') {
                return (handler: Handler) => (value as (h: Handler) => unknown).call(object, wrap(property, handler));
            }
            return value;
        }
    });
    return {
        connection: wrapped,
        route: own => {
            features = own;
        }
    };
}
