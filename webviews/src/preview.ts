/**
 * The preview webview's entry (bundled to out/webviews/preview.js with Mermaid inside). It talks
 * to the extension only through the messages in messages.ts.
 */
import './preview.css';
import { renderMermaid } from './mermaid-renderer.js';
import type { FromWebview, PreviewState, ToWebview } from './messages.js';
import { PreviewApp, type WebviewHost } from './preview-app.js';

/** Provided by VS Code in every webview; callable once. */
declare function acquireVsCodeApi(): {
    postMessage(message: FromWebview): void;
    getState(): PreviewState | undefined;
    setState(state: PreviewState): void;
};

const host: WebviewHost = acquireVsCodeApi();
const app = new PreviewApp(host, renderMermaid, document);
window.addEventListener('message', (event: MessageEvent<ToWebview>) => void app.receive(event.data));
host.postMessage({ type: 'ready' });
