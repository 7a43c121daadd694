/**
 * The crew's LLM failures as one error type with a kind the caller can branch on, and messages a
 * user can act on. pi-ai never throws for provider trouble: it returns `stopReason: 'error'` with
 * the provider's text (e.g. "429 rate limited"), which is read here to tell the kinds apart.
 */

export type CrewLlmErrorKind = 'config' | 'aborted' | 'timeout' | 'rate-limited' | 'auth' | 'provider' | 'invalid-output';

/** A failed crew LLM call or configuration. Its message and fields never contain the API key. */
export class CrewLlmError extends Error {
    override readonly name = 'CrewLlmError';

    constructor(readonly kind: CrewLlmErrorKind, message: string, readonly role?: string) {
        super(message);
    }
}

/** Who is calling which model, as error messages name them. */
export interface CallSite {
    role: string;
    /** e.g. 'anthropic/claude-sonnet-4-5' or 'openai/gpt-x at http://127.0.0.1:1234/v1' */
    describe: string;
    /** Where the key came from, e.g. 'ANTHROPIC_API_KEY', so an auth failure says what to check. */
    keySource: string;
}

/** A provider failure read from pi-ai's error text. */
export interface ProviderFailure {
    kind: 'rate-limited' | 'auth' | 'provider';
    /** Worth asking again after a pause: rate limits, server errors, dropped connections. */
    transient: boolean;
    /** The provider's own words, without the key. */
    detail: string;
}

// Status codes as the SDKs put them in their messages: "429 …" (OpenAI, Anthropic), `"code": 429`
// (Google's JSON bodies), "Status 429" / "status code 503" (Mistral, fetch wrappers).
const STATUS_PATTERNS = [/^(\d{3})\b/, /"code"\s*:\s*(\d{3})\b/, /\bstatus(?:\s+code)?:?\s*(\d{3})\b/i];
const RATE_LIMIT_WORDS = /rate.?limit|too many requests|resource.?exhausted|throttl/i;
const CONNECTION_WORDS = /connection error|ECONNRESET|ECONNREFUSED|socket hang up|fetch failed|terminated/i;

export function classifyFailure(errorMessage: string, apiKey: string | undefined): ProviderFailure {
    const detail = providerDetail(errorMessage, apiKey);
    const status = statusOf(errorMessage);
    if (status === 401 || status === 403) {
        return { kind: 'auth', transient: false, detail };
    }
    if (status === 429 || (status === undefined && RATE_LIMIT_WORDS.test(errorMessage))) {
        return { kind: 'rate-limited', transient: true, detail };
    }
    const transient = status === undefined ? CONNECTION_WORDS.test(errorMessage) : status === 408 || status >= 500;
    return { kind: 'provider', transient, detail };
}

function statusOf(errorMessage: string): number | undefined {
    for (const pattern of STATUS_PATTERNS) {
        const match = pattern.exec(errorMessage);
        if (match) {
            return Number(match[1]);
        }
    }
    return undefined;
}

/** The provider's text, one line, bounded, and with the key blanked (servers may echo it back). */
export function providerDetail(text: string, apiKey: string | undefined): string {
    const withoutKey = apiKey ? text.split(apiKey).join('[key]') : text;
    const oneLine = withoutKey.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
    return oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine || 'no details given';
}

const whose = (site: CallSite) => `The ${site.role}'s model (${site.describe})`;

export function failureError(site: CallSite, failure: ProviderFailure, requests: number): CrewLlmError {
    const tries = requests > 1 ? ` after ${requests} tries` : '';
    const message = {
        'rate-limited': `${whose(site)} was still rate-limited${tries} (${failure.detail}); wait a minute or raise the account's limit.`,
        'auth': `${whose(site)} rejected its API key (${failure.detail}); check ${site.keySource}.`,
        'provider': `${whose(site)} failed${tries}: ${failure.detail}.`
    }[failure.kind];
    return new CrewLlmError(failure.kind, message, site.role);
}

export function timeoutError(site: CallSite, timeoutMs: number): CrewLlmError {
    return new CrewLlmError('timeout', `${whose(site)} did not answer within ${timeoutMs / 1000} s.`, site.role);
}

export function abortedError(site: CallSite): CrewLlmError {
    return new CrewLlmError('aborted', `The ${site.role}'s call to ${site.describe} was cancelled.`, site.role);
}

export function invalidOutputError(site: CallSite, problem: string): CrewLlmError {
    return new CrewLlmError('invalid-output', `${whose(site)} ${problem}.`, site.role);
}
