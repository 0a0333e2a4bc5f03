import { invalidInput } from '../../core/errors.js';
import { BUILT_IN_ROLES, type AccessStore } from './access-store.js';

/**
 * Refuse account roles that no role has (built in, or in the access store). Stored, such a name
 * grants nothing: a typo would leave the account silently without the access meant. Every door
 * that gives an account roles (`/v1/users`, `langtrain users`) asks this before the change.
 * `next` says, in that door's own words, where roles are listed and made.
 */
export async function refuseUnknownRoles(access: Pick<AccessStore, 'snapshot'>, roles: readonly string[], next: string): Promise<void> {
  if (roles.length === 0) return;
  const { roles: stored } = await access.snapshot();
  const known = new Set([...BUILT_IN_ROLES, ...stored].map((role) => role.name));
  const unknown = [...new Set(roles.filter((role) => !known.has(role)))];
  if (unknown.length > 0) throw invalidInput(`no such role: ${unknown.join(', ')}. ${next}`, { roles: unknown });
}
