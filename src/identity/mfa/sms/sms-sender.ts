import { LangtrainError, invalidInput } from '../../../core/errors.js';

/**
 * Where SMS one-time codes leave the system. `to` is an E.164 number (`+447700900123`).
 * Implementations throw LangtrainError (ERR_SMS_SEND_FAILED, ERR_SMS_PROVIDER_DENIED) whose
 * messages and details never carry the text sent, the full number or a credential.
 */
export interface SmsSender {
  send(to: string, text: string): Promise<void>;
}

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** Longest message accepted: Twilio's limit for one (concatenated) SMS body. */
const MAX_TEXT = 1600;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A number as it may be shown in logs and errors: only its last two digits. */
export function maskPhone(phone: string): string {
  const digits = String(phone).replace(/\D/g, '');
  return `***${digits.slice(-2)}`;
}

function checkMessage(to: string, text: string): void {
  if (typeof to !== 'string' || !E164.test(to)) throw invalidInput('SMS recipient must be an E.164 number such as +447700900123', { option: 'to' });
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) throw invalidInput(`SMS text must be 1 to ${MAX_TEXT} characters`, { option: 'text' });
}

export interface TwilioCompatibleSenderOptions {
  /** e.g. https://api.twilio.com (plain http only to loopback, for stand-ins). */
  baseUrl: string;
  accountSid: string;
  /**
   * The auth token itself. Configure it by reference (`env:NAME`, `file:PATH`) and resolve
   * the reference before constructing the sender; it is never printed.
   */
  authToken: string;
  /** Sending number (E.164) or alphanumeric sender id (1 to 11 letters, digits, spaces). */
  from: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

/**
 * Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`, form-encoded
 * `To`, `From`, `Body`, HTTP Basic with the account SID and auth token), which several other
 * gateways copy. Redirects are refused so the credentials go only to `baseUrl`. Errors name
 * the HTTP status and the provider's numeric error code, never the provider's message text
 * (it may quote the body, which holds the one-time code).
 */
export class TwilioCompatibleSender implements SmsSender {
  readonly #url: string;
  readonly #authorization: string;
  readonly #from: string;
  readonly #timeoutMs: number;
  readonly #host: string;

  constructor(options: TwilioCompatibleSenderOptions) {
    const o = options ?? ({} as TwilioCompatibleSenderOptions);
    const base = checkBaseUrl(o.baseUrl);
    if (typeof o.accountSid !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(o.accountSid)) {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'TwilioCompatibleSender: accountSid must be 1 to 64 letters and digits', { option: 'accountSid' });
    }
    if (typeof o.authToken !== 'string' || o.authToken.length === 0 || /[\r\n]/.test(o.authToken)) {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'TwilioCompatibleSender: authToken must be the resolved token (give it by reference env:NAME or file:PATH and resolve it first)', {
        option: 'authToken',
      });
    }
    if (typeof o.from !== 'string' || !(E164.test(o.from) || /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(o.from))) {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'TwilioCompatibleSender: from must be an E.164 number or an alphanumeric sender id of at most 11 characters', { option: 'from' });
    }
    const timeoutMs = o.timeoutMs ?? 10_000;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new LangtrainError('ERR_CONFIG_INVALID', 'TwilioCompatibleSender: timeoutMs must be a positive whole number', { option: 'timeoutMs' });
    const prefix = base.pathname.replace(/\/+$/, '');
    this.#url = `${base.origin}${prefix}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/Messages.json`;
    this.#authorization = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`, 'utf8').toString('base64')}`;
    this.#from = o.from;
    this.#timeoutMs = timeoutMs;
    this.#host = base.host;
  }

  async send(to: string, text: string): Promise<void> {
    checkMessage(to, text);
    const body = new URLSearchParams({ To: to, From: this.#from, Body: text });
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: { authorization: this.#authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      // No `cause`: keep the request (and so the code) out of anything that prints the error.
      const reason = (err as Error)?.name === 'TimeoutError' ? 'timeout' : 'unreachable';
      throw new LangtrainError('ERR_SMS_SEND_FAILED', `SMS gateway ${this.#host} ${reason === 'timeout' ? 'did not answer in time' : 'could not be reached'}`, {
        host: this.#host,
        reason,
        to: maskPhone(to),
      });
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const providerCode = await readProviderCode(response);
    const details = { host: this.#host, status: response.status, to: maskPhone(to), ...(providerCode === null ? {} : { providerCode }) };
    if (response.status === 401 || response.status === 403) {
      throw new LangtrainError(
        'ERR_SMS_PROVIDER_DENIED',
        `SMS gateway ${this.#host} refused the account credentials (HTTP ${response.status}); check accountSid and the authToken reference`,
        details,
      );
    }
    throw new LangtrainError('ERR_SMS_SEND_FAILED', `SMS gateway ${this.#host} did not accept the message (HTTP ${response.status}${providerCode === null ? '' : `, error ${providerCode}`})`, details);
  }
}

function checkBaseUrl(address: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(address));
  } catch {
    throw new LangtrainError('ERR_CONFIG_INVALID', 'TwilioCompatibleSender: baseUrl is not a URL', { option: 'baseUrl' });
  }
  if (url.username || url.password) throw new LangtrainError('ERR_CONFIG_INVALID', 'TwilioCompatibleSender: baseUrl must not carry credentials', { option: 'baseUrl' });
  if (url.search || url.hash) throw new LangtrainError('ERR_CONFIG_INVALID', 'TwilioCompatibleSender: baseUrl must not have a query or fragment', { option: 'baseUrl' });
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return url;
  throw new LangtrainError('ERR_CONFIG_INVALID', `TwilioCompatibleSender: ${url.protocol}//${url.host} must use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)`, {
    option: 'baseUrl',
  });
}

/** Twilio's numeric error code (`{"code": 20003, …}`), or null; nothing else of the body is kept. */
async function readProviderCode(response: Response): Promise<number | null> {
  try {
    const text = (await response.text()).slice(0, 64 * 1024);
    const parsed: unknown = JSON.parse(text);
    const code = typeof parsed === 'object' && parsed !== null ? (parsed as { code?: unknown }).code : undefined;
    return Number.isSafeInteger(code) ? (code as number) : null;
  } catch {
    return null;
  }
}

export interface SentSms {
  readonly to: string;
  readonly text: string;
  readonly at: Date;
}

/**
 * Keeps messages in memory instead of sending them, for development and tests (read the
 * code from `outbox`). Refuses to be built or used when NODE_ENV is `production`: a
 * deployment that forgot to configure a gateway must fail, not silently drop codes.
 */
export class DevelopmentSmsSender implements SmsSender {
  readonly outbox: SentSms[] = [];

  constructor() {
    refuseInProduction();
  }

  async send(to: string, text: string): Promise<void> {
    refuseInProduction();
    checkMessage(to, text);
    this.outbox.push({ to, text, at: new Date() });
  }

  /** The most recent message to `to`, if any. */
  lastTo(to: string): SentSms | undefined {
    return this.outbox.findLast((m) => m.to === to);
  }
}

function refuseInProduction(): void {
  if (process.env.NODE_ENV === 'production') {
    throw new LangtrainError('ERR_CONFIG_INVALID', 'DevelopmentSmsSender keeps codes in memory and does not run with NODE_ENV=production; configure a real SMS gateway');
  }
}
