/**
 * The mutation PR webview's entry (bundled to out/webviews/mutation-pr.js with Mermaid inside).
 * It talks to the extension only through the messages in messages.ts.
 */
import './mutation-pr.css';
import { renderMermaid } from './mermaid-renderer.js';
import type { FromPrWebview, ToPrWebview } from './messages.js';
import { MutationPrApp, type PrWebviewHost } from './mutation-pr-app.js';

/** Provided by VS Code in every webview; callable once. */
declare function acquireVsCodeApi(): { postMessage(message: FromPrWebview): void };

const host: PrWebviewHost = acquireVsCodeApi();
const app = new MutationPrApp(host, renderMermaid, document);
window.addEventListener('message', (event: MessageEvent<ToPrWebview>) => void app.receive(event.data));
host.postMessage({ type: 'ready' });
