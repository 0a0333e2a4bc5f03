import { createHmac, randomBytes } from 'node:crypto';
import type { JsonValue } from '../../core/audit-sink.js';
import type { WriteTx } from '../../store/database.js';
import { CONSENT_ACTOR_KEYS_TABLE, CONSENT_TABLE } from './schema.js';

/**
 * How a consent event's audit entry names who recorded it (its actor): by `actorRef`, an
 * HMAC-SHA256 of the event's number and the actor's id under a random key of that actor's, kept
 * in the consent store.
 *
 * The entry belongs to the subject whose consent it is: the log seals its payload under that
 * subject's key, or stores it in clear. Erasing the actor can change neither, nor can shredding
 * the actor's audit trail reach it, so an id written there would outlive the actor's erasure.
 * Erasure deletes the actor's key instead (forgetActorKey), and the pseudonym then links to no
 * one: a random 256-bit key cannot be guessed, and the actor's id can no longer be tried against
 * it. Until then the consent row with the entry's `seq` names the actor, and their key shows the
 * reference is theirs. An HMAC rather than a random token, because the reference then commits to
 * the id: a key row rewritten to name someone else does not reproduce it. The event's number is
 * in it so that one actor's entries do not share a value: one entry tied back to them by other
 * means (a lineage entry naming them at the same time) ties back that one alone.
 *
 * A deleted row's bytes are gone from a SQLite store's files after erasure (Store.scrubDeleted);
 * PostgreSQL keeps them until its pages are reused, and in its WAL and backups (docs/privacy.md).
 */
export function actorRef(key: Uint8Array, actor: string, seq: number): string {
  return createHmac('sha256', key).update(`${seq}\0${actor}`, 'utf8').digest('hex');
}

/** The consent events whose audit entries name an actor (as `actorRef`, or `actor` before it). */
export const CONSENT_AUDIT_EVENTS = ['consent.recorded', 'consent.withdrawn'] as const;

/** The reference for event `seq` of the actor, their key created in the caller's write transaction when they have none yet. */
export async function actorRefIn(tx: WriteTx, actor: string, seq: number): Promise<string> {
  await tx.insertInto(CONSENT_ACTOR_KEYS_TABLE).values({ actor, ref_key: randomBytes(32) }).onConflict((oc) => oc.column('actor').doNothing()).execute();
  const { ref_key } = await tx.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('ref_key').where('actor', '=', actor).executeTakeFirstOrThrow();
  return actorRef(ref_key as Uint8Array, actor, seq);
}

/** Delete the actor's key (erasure): every `actorRef` made with it stops naming them. */
export async function forgetActorKey(tx: WriteTx, actor: string): Promise<void> {
  await tx.deleteFrom(CONSENT_ACTOR_KEYS_TABLE).where('actor', '=', actor).execute();
}

/**
 * Delete the actor's key if no consent event names them any more: for an event taken back (its
 * audit record failed), whose key, made with it, would otherwise name them for no event.
 */
export async function forgetUnusedActorKey(tx: WriteTx, actor: string): Promise<void> {
  const used = await tx.selectFrom(CONSENT_TABLE).select('seq').where('actor', '=', actor).limit(1).executeTakeFirst();
  if (used === undefined) await forgetActorKey(tx, actor);
}

/**
 * Whether a consent audit payload names `actor` by their id: entries written before consent
 * events carried `actorRef` hold it as `actor`, where neither erasure nor shredding reaches it.
 */
export function namesActor(payload: { [key: string]: JsonValue } | undefined, actor: string): boolean {
  return payload?.actor === actor;
}
