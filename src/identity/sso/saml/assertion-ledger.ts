import type { Store } from '../../../store/database.js';

const ASSERTIONS = 'identity_saml_assertions';
const REQUESTS = 'identity_saml_requests';

export interface ConsumedAssertion {
  /** The assertion's ID attribute, from inside its signature. */
  assertionId: string;
  /** After this the assertion would be refused as expired anyway, so its id may be forgotten. */
  keepUntil: Date;
  /** The AuthnRequest the response answered. */
  requestId: string | null;
  provider: string;
}

/**
 * The assertions that have signed someone in, so none does so twice (SAML profiles
 * §4.1.4.5: the SP must ensure a bearer assertion is not replayed).
 *
 * node-saml ends the answered request, but not when the assertion's SubjectConfirmation
 * omits InResponseTo (the Response's own InResponseTo is outside the assertion's
 * signature, so anyone holding such an assertion could re-address it to a fresh request),
 * and two instances finishing the same response at once both find the request still
 * pending. The insert of the assertion id, keyed by its primary key inside one write
 * transaction, is therefore what decides: exactly one use of an assertion succeeds,
 * whichever instance sees it. The same transaction ends the request, whatever node-saml
 * left, and forgets expired assertion ids.
 */
export class AssertionLedger {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** True when the assertion had not been used before (and is now recorded); false on a replay. */
  async consume(assertion: ConsumedAssertion): Promise<boolean> {
    const nowIso = new Date().toISOString();
    return this.#store.writeTransaction('saml:assertions', async (tx) => {
      // This assertion's own row stays even if just expired: node-saml accepted it a moment
      // ago, and forgetting it here would let this very replay through.
      await tx.deleteFrom(ASSERTIONS).where('expires_at', '<=', nowIso).where('id', '!=', assertion.assertionId).execute();
      const inserted = await tx
        .insertInto(ASSERTIONS)
        .values({ id: assertion.assertionId, expires_at: assertion.keepUntil.toISOString() })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (assertion.requestId !== null) {
        await tx.deleteFrom(REQUESTS).where('id', '=', assertion.requestId).where('provider', '=', assertion.provider).execute();
      }
      return inserted !== undefined;
    });
  }
}
