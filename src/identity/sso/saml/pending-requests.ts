import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import { LangtrainError } from '../../../core/errors.js';
import type { Store } from '../../../store/database.js';

const TABLE = 'identity_saml_requests';
/** node-saml's ids are `_` and 40 hex digits; anything much longer is not one of ours. */
const MAX_ID = 256;

/**
 * The AuthnRequests a provider has sent and not yet seen answered, in the shared store:
 * node-saml's `cacheProvider`, through which it checks a response's InResponseTo. Any
 * server instance can then finish a sign-in another one started.
 *
 * node-saml saves the id with its IssueInstant when it builds a request, reads it back
 * when a response names it, and removes it once the response is accepted or refused, so
 * each request is answered at most once. Rows past their lifetime are never returned and
 * are deleted by the next `saveAsync`.
 */
export class PendingSamlRequests implements CacheProvider {
  readonly #store: Store;
  readonly #provider: string;
  readonly #lifetimeMs: number;

  constructor(store: Store, provider: string, lifetimeMs: number) {
    this.#store = store;
    this.#provider = provider;
    this.#lifetimeMs = lifetimeMs;
  }

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const now = new Date();
    const nowIso = now.toISOString();
    await this.#guard('record a SAML request', () =>
      this.#store.writeTransaction('saml:requests', async (tx) => {
        await tx.deleteFrom(TABLE).where('expires_at', '<=', nowIso).execute();
        await tx
          .insertInto(TABLE)
          .values({ id: key, provider: this.#provider, created_at: value, expires_at: new Date(now.getTime() + this.#lifetimeMs).toISOString() })
          .execute();
      }),
    );
    return { value, createdAt: now.getTime() };
  }

  /** The request's IssueInstant when it is pending for this provider, else null. */
  async getAsync(key: string): Promise<string | null> {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_ID) return null;
    const row = await this.#guard('look up a SAML request', () =>
      this.#store.db
        .selectFrom(TABLE)
        .select('created_at')
        .where('id', '=', key)
        .where('provider', '=', this.#provider)
        .where('expires_at', '>', new Date().toISOString())
        .executeTakeFirst(),
    );
    return row ? String(row.created_at) : null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_ID) return null;
    const result = await this.#guard('end a SAML request', () =>
      this.#store.writeTransaction('saml:requests', (tx) => tx.deleteFrom(TABLE).where('id', '=', key).where('provider', '=', this.#provider).executeTakeFirst()),
    );
    return Number(result.numDeletedRows) > 0 ? key : null;
  }

  /**
   * A database failure must not read as a refused response (node-saml turns any error it
   * meets into one), so it leaves as ERR_STORE_UNAVAILABLE, which `finish` passes on.
   */
  async #guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw new LangtrainError('ERR_STORE_UNAVAILABLE', `cannot ${what} in the store: ${(err as Error).message}`, {}, { cause: err });
    }
  }
}
