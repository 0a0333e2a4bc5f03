import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readCredential, type CredentialReference } from '../../core/credential-reference.js';
import { LangtrainError } from '../../core/errors.js';

/** Where `notify_security_team` posts: a chat or paging webhook (Slack, Teams, PagerDuty Events, an on-call bridge). */
export interface WebhookSettings {
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
 */
export class WebhookNotifier {
  readonly url: URL;
  readonly #secret: string | null;

  constructor(settings: WebhookSettings) {
    let url: URL;
    try {
      url = new URL(settings.url);
    } catch {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'monitoring.notify.url: not a URL, e.g. https://hooks.example.com/security');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
      throw new LangtrainError('ERR_CONFIG_INVALID', `monitoring.notify.url: takes https: (plain http: only on loopback: an incident names addresses and accounts), got ${url.protocol}`);
    }
    this.url = url;
    this.#secret = settings.secret === undefined ? null : readCredential(settings.secret as CredentialReference, 'monitoring.notify.secret');
  }

  send(body: Record<string, unknown>): Promise<void> {
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'user-agent': 'langtrain-security' };
    if (this.#secret !== null) headers['x-langtrain-signature'] = `sha256=${createHmac('sha256', this.#secret).update(text).digest('hex')}`;
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const where = `${this.url.protocol}//${this.url.host}${this.url.pathname}`;
    return new Promise<void>((resolve, reject) => {
      const req = request(this.url, { method: 'POST', headers, timeout: TIMEOUT_MS }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300 ? resolve() : reject(new LangtrainError('ERR_DELIVERY_FAILED', `webhook ${where} answered HTTP ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => reject(new LangtrainError('ERR_DELIVERY_FAILED', `webhook ${where}: ${err.message}`)));
      req.end(text);
    });
  }
}
