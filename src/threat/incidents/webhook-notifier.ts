import { createHmac } from 'node:crypto';
import { CREDENTIAL_REFERENCE, readCredential, type CredentialReference } from '../../core/credential-reference.js';
import { LangtrainError } from '../../core/errors.js';
import { postJson } from '../http-post.js';

/** Where `notify_security_team` posts: a chat or paging webhook (Slack, Teams, PagerDuty Events, an on-call bridge). */
export interface WebhookSettings {
  /**
   * The webhook's URL, or a credential reference holding it (`env:NAME`, `file:PATH`): a chat
   * webhook's path is its secret. Messages name only its scheme and host.
   */
  url: string;
  /** A credential reference: each body is signed with HMAC-SHA256 under it, as `X-LangTrain-Signature: sha256=<hex>`. */
  secret?: CredentialReference | (string & {});
}

const TIMEOUT_MS = 10_000;
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Posts a JSON body to the webhook; resolves on a 2xx answer. The body has a `text` line for
 * chat webhooks that show only that, and the incident and alert as fields. Signed, when a
 * secret is set, the way GitHub and Stripe sign theirs, so the receiver can tell it is ours.
 * References are read at each send, so a rotated URL or secret is taken up at once.
 */
export class WebhookNotifier {
  readonly #url: string;
  readonly #secret: CredentialReference | null;

  constructor(settings: WebhookSettings) {
    if (settings.secret !== undefined && !CREDENTIAL_REFERENCE.test(settings.secret)) {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'monitoring.notify.secret: must be a credential reference, env:NAME or file:/path, never the secret itself');
    }
    this.#url = settings.url;
    this.#secret = (settings.secret as CredentialReference | undefined) ?? null;
    this.#resolve(); // refused now if it cannot be read or is no URL, not at the first incident
    if (this.#secret !== null) readCredential(this.#secret, 'monitoring.notify.secret'); // refused now if it cannot be read
  }

  /** Posts `body`; where it went, as `scheme://host` (the URL is read at each send, and may have changed). */
  async send(body: Record<string, unknown>): Promise<string> {
    const url = this.#resolve();
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { 'user-agent': 'langtrain-security' };
    if (this.#secret !== null) headers['x-langtrain-signature'] = `sha256=${createHmac('sha256', readCredential(this.#secret, 'monitoring.notify.secret')).update(text).digest('hex')}`;
    const where = `${url.protocol}//${url.host}`;
    let status: number;
    try {
      ({ status } = await postJson(url, text, headers, { timeoutMs: TIMEOUT_MS }));
    } catch (err) {
      throw new LangtrainError('ERR_DELIVERY_FAILED', `webhook ${where}: ${(err as Error).message}`);
    }
    if (status < 200 || status >= 300) throw new LangtrainError('ERR_DELIVERY_FAILED', `webhook ${where} answered HTTP ${status}`);
    return where;
  }

  /** The URL, read from its reference when it is one, and checked; errors never quote it. */
  #resolve(): URL {
    const text = CREDENTIAL_REFERENCE.test(this.#url) ? readCredential(this.#url as CredentialReference, 'monitoring.notify.url') : this.#url;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'monitoring.notify.url: not a URL, e.g. https://hooks.example.com/security');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
      throw new LangtrainError('ERR_CONFIG_INVALID', `monitoring.notify.url: takes https: (plain http: only on loopback: an incident names addresses and accounts), got ${url.protocol}`);
    }
    return url;
  }
}
