import type { Kysely } from 'kysely';
import { LangtrainError } from '../core/errors.js';
import { readKeyText, type KeyReference } from '../crypto/key-reference.js';
import type { Store } from '../store/database.js';
import { formatCheckpoint, generateSignerKey, openNote, parseCheckpoint, parseSignerKey, parseVerifierKey, signNote, type NoteSigner, type NoteVerifier } from './signed-note.js';

/**
 * The log's Ed25519 checkpoint key. `store` (zero set-up) keeps it in the database beside
 * the log; `file:`/`env:` keep it elsewhere, so someone able to rewrite the database
 * cannot also re-sign it. Either way the public verifier key is written to the store, and
 * verifiers can pin it (`langtrain audit verify --verifier-key`) to catch a swapped key.
 */
export async function loadCheckpointSigner(store: Store, origin: string, source: 'store' | KeyReference): Promise<NoteSigner> {
  if (source !== 'store') {
    const signer = parseSignerKey(readKeyText(source));
    if (signer.name !== origin) {
      throw new LangtrainError('ERR_KEY_MISSING', `the signing key in ${source} is named "${signer.name}" but audit.origin is "${origin}"`);
    }
    await registerVerifierKey(store, origin, signer.verifierKey, null);
    return signer;
  }
  const existing = await store.db.selectFrom('audit_keys').select(['signer_key']).where('name', '=', origin).executeTakeFirst();
  if (existing?.signer_key) return parseSignerKey(existing.signer_key);
  const fresh = generateSignerKey(origin);
  await registerVerifierKey(store, origin, fresh.verifierKey, fresh.signerKey);
  // Another process may have created one first: whichever row won is the key.
  const row = await store.db.selectFrom('audit_keys').select(['signer_key']).where('name', '=', origin).executeTakeFirstOrThrow();
  if (!row.signer_key) throw new LangtrainError('ERR_KEY_MISSING', `the store holds only a verifier key for ${origin}; set audit.signingKey to where its signing key is`);
  return parseSignerKey(row.signer_key);
}

async function registerVerifierKey(store: Store, origin: string, verifierKey: string, signerKey: string | null): Promise<void> {
  await store.writeTransaction('audit', async (tx) => {
    const row = await tx.selectFrom('audit_keys').select(['verifier_key']).where('name', '=', origin).executeTakeFirst();
    if (row) {
      if (row.verifier_key !== verifierKey && signerKey === null) {
        throw new LangtrainError('ERR_KEY_MISSING', `the configured signing key for ${origin} does not match the verifier key already recorded for this log`);
      }
      return;
    }
    await tx.insertInto('audit_keys').values({ name: origin, verifier_key: verifierKey, signer_key: signerKey, created_at: new Date().toISOString() }).execute();
  });
}

/** Verifier keys recorded in the store (one per log origin). */
export async function storedVerifiers(db: Kysely<any>): Promise<NoteVerifier[]> {
  const rows = await db.selectFrom('audit_keys').select(['verifier_key']).execute();
  return rows.map((r) => parseVerifierKey(r.verifier_key));
}

export function signCheckpoint(signer: NoteSigner, size: number, root: Buffer): string {
  return signNote(formatCheckpoint({ origin: signer.name, size, root }), signer);
}

/** Open a signed checkpoint: signature by one of `verifiers`, well-formed text. Throws otherwise. */
export function openCheckpoint(note: string, verifiers: NoteVerifier[]): { origin: string; size: number; root: Buffer } {
  const { text } = openNote(note, verifiers);
  return parseCheckpoint(text);
}
