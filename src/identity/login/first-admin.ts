import type { AuditSink } from '../../core/audit-sink.js';
import type { SetupCodes } from '../setup-codes.js';
import type { ClientInfo, User, UserDirectory } from '../users/user-directory.js';

export interface FirstAdminInput {
  setupCode: string;
  username: string;
  password: string;
}

/** The role that may do everything, until RoleManager defines finer ones. */
export const ADMIN_ROLE = 'admin';

/**
 * Create an administrator with a setup code. The account is created (which checks the
 * username and password policy) before the code is spent, so a rejected password costs the
 * operator nothing; the role is granted only after the code is spent, so two concurrent uses
 * of one code leave one admin and one powerless, disabled account. Null: no such unspent code.
 */
export async function createAdminWithSetupCode(deps: { setupCodes: SetupCodes; users: UserDirectory; audit: AuditSink }, input: FirstAdminInput, client: ClientInfo = {}): Promise<User | null> {
  if ((await deps.setupCodes.check(input.setupCode)) === null) {
    await deps.audit.record({ eventType: 'auth.setup_refused', result: 'denied', additionalData: { reason: 'invalid_setup_code', username: String(input.username).slice(0, 254), ip: client.ip ?? null, userAgent: client.userAgent?.slice(0, 512) ?? null } });
    return null;
  }
  const user = await deps.users.createUser({ username: input.username, password: input.password }, client);
  if (!(await deps.setupCodes.spend(input.setupCode))) {
    await deps.users.disable(user.id, client);
    return null;
  }
  return deps.users.setRoles(user.id, [ADMIN_ROLE], client);
}
