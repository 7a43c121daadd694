import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Daytona API on 127.0.0.1 that answers what @daytonaio/sdk 0.218 sends
 * (/work/shared/recipes/daytona-contract.md) and records every request but the SDK's event socket.
 */

export type DaytonaCall = 'create' | 'upload' | 'codeRun' | 'execute' | 'delete';

export interface RecordedRequest {
    call: DaytonaCall;
    method: string;
    path: string;
    authorization?: string;
    /** JSON bodies parsed; the multipart upload as latin1 text. */
    body: unknown;
}

export interface FakeAnswer { status: number; body?: unknown }

export interface FakeDaytona {
    apiUrl: string;
    requests: RecordedRequest[];
    /** Replaces the default answer to a call. */
    answer(call: DaytonaCall, answer: FakeAnswer): void;
    close(): Promise<void>;
}

const SANDBOX_ID = 'sandbox-1';
const TOOLBOX_CALLS: Record<string, DaytonaCall | undefined> = {
    'POST files/bulk-upload': 'upload',
    'POST process/code-run': 'codeRun',
    'POST process/execute': 'execute'
};

export async function startFakeDaytona(): Promise<FakeDaytona> {
    const requests: RecordedRequest[] = [];
    const overrides = new Map<DaytonaCall, FakeAnswer>();
    let language = 'python';
    let toolboxUrl = '';

    const defaults = (call: DaytonaCall, body: unknown): FakeAnswer => {
        const sandbox = { id: SANDBOX_ID, state: 'started', toolboxProxyUrl: toolboxUrl, labels: { 'code-toolbox-language': language } };
        switch (call) {
            case 'create': return { status: 200, body: sandbox };
            case 'upload': return { status: 200 };
            case 'codeRun': return { status: 200, body: { exitCode: 0, result: `ran ${JSON.stringify((body as { code: string }).code)}\n`, artifacts: { charts: [] } } };
            case 'execute': return { status: 200, body: { exitCode: 0, result: 'executed\n' } };
            case 'delete': return { status: 200, body: { ...sandbox, state: 'destroyed' } };
        }
    };

    const server: Server = createServer(async (request, response) => {
        const path = request.url ?? '';
        const raw = await readBody(request);
        const call = callOf(request.method ?? '', path);
        if (!call) {
            response.writeHead(404).end();
            return;
        }
        const body = call === 'upload' ? raw.toString('latin1') : raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        if (call === 'create') {
            language = (body as { labels: Record<string, string> }).labels['code-toolbox-language'];
        }
        requests.push({ call, method: request.method!, path, authorization: request.headers.authorization, body });
        const answer = overrides.get(call) ?? defaults(call, body);
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
    // The SDK's event socket (socket.io over a websocket upgrade) is refused; the SDK carries on without it.
    server.on('upgrade', (_request, socket) => socket.destroy());
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    toolboxUrl = `${base}/toolbox`;

    return {
        apiUrl: `${base}/api`,
        requests,
        answer: (call, answer) => overrides.set(call, answer),
        close: () => new Promise(resolve => {
            server.closeAllConnections();
            server.close(() => resolve());
        })
    };
}

function callOf(method: string, path: string): DaytonaCall | undefined {
    if (method === 'POST' && path === '/api/sandbox') {
        return 'create';
    }
    if (method === 'DELETE' && path === `/api/sandbox/${SANDBOX_ID}`) {
        return 'delete';
    }
    const toolbox = `/toolbox/${SANDBOX_ID}/`;
    const route = path.startsWith(toolbox) ? `${method} ${path.slice(toolbox.length)}` : '';
    return TOOLBOX_CALLS[route];
}

function readBody(request: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        request.on('data', chunk => chunks.push(chunk));
        request.on('end', () => resolve(Buffer.concat(chunks)));
        request.on('error', reject);
    });
}
