import type { AuditSink, JsonValue } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput, isLangtrainError } from '../../core/errors.js';
import type { Store } from '../../store/database.js';
import type { Client, User } from '../users/user-record.js';
import { normaliseUsername, type UserDirectory } from '../users/user-directory.js';
import type { SsoIdentity } from './sso-identity.js';

/** How one provider's sign-ins become local accounts (Keycloak's first-broker-login and mappers, simplified). */
export interface ProvisioningPolicy {
  /** Create an account on a subject's first sign-in (just-in-time); otherwise an admin links it first. */
  jitProvisioning: boolean;
  /** IdP group → local roles. */
  groupRoles: Readonly<Record<string, readonly string[]>>;
  /** Roles every account from this provider gets. */
  defaultRoles: readonly string[];
  /**
   * `always`: each sign-in sets the account's roles from its groups (the IdP is the source of
   * truth, so removing a group removes the role at the next sign-in); `on_create`: only the
   * first, after which roles are managed here.
   */
  roleSync: 'always' | 'on_create';
}

export type SsoAccountResult =
  | { ok: true; user: User; created: boolean }
  | { ok: false; reason: 'not_provisioned' | 'account_conflict' | 'disabled' };

const TABLE = 'identity_external_identities';

/**
 * The link between IdP subjects and local accounts, and just-in-time provisioning.
 *
 * A first sign-in never attaches itself to an existing local account because the username or
 * email matches: that would hand a local account (an admin's, say) to whoever controls that
 * name at the IdP. Such a collision is refused (`account_conflict`) and audited; an admin
 * links the account with `link`.
 */
export class SsoAccounts {
  readonly #store: Store;
  readonly #users: UserDirectory;
  readonly #audit: AuditSink;
  readonly #clock: () => Date;

  constructor(deps: { store: Store; users: UserDirectory; audit: AuditSink; clock?: () => Date }) {
    this.#store = deps.store;
    this.#users = deps.users;
    this.#audit = deps.audit;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** The local account for this verified identity: found, created (JIT) or refused. */
  async resolve(identity: SsoIdentity, policy: ProvisioningPolicy, client: Client): Promise<SsoAccountResult> {
    const now = this.#clock().toISOString();
    const roles = rolesFor(identity.groups, policy);
    const linked = await this.#store.db.selectFrom(TABLE).select('user_id').where('provider', '=', identity.provider).where('subject', '=', identity.subject).executeTakeFirst();
    if (linked) {
      let user = await this.#users.get(String(linked.user_id));
      if (!user) return this.#refuse('not_provisioned', identity, client);
      if (user.disabled) return this.#refuse('disabled', identity, client, user.id);
      if (policy.roleSync === 'always') user = await this.#users.setRoles(user.id, roles, client);
      await this.#store.writeTransaction(`sso:${identity.provider}`, (tx) =>
        tx.updateTable(TABLE).set({ last_login_at: now }).where('provider', '=', identity.provider).where('subject', '=', identity.subject).execute(),
      );
      return { ok: true, user, created: false };
    }
    if (!policy.jitProvisioning) return this.#refuse('not_provisioned', identity, client);
    const username = normaliseUsername(identity.username ?? identity.email ?? `${identity.subject}@${identity.provider}`);
    if (username === null) return this.#refuse('not_provisioned', identity, client);
    let user: User;
    try {
      user = await this.#users.createUser({ username, roles }, client);
    } catch (err) {
      if (isLangtrainError(err, 'ERR_USER_EXISTS')) return this.#refuse('account_conflict', identity, client, null, { username });
      throw err;
    }
    // A concurrent first sign-in of the same subject (under another username) linked first.
    if ((await this.#insertLink(identity, user.id, now)) !== null) return this.#refuse('account_conflict', identity, client, null, { username });
    await this.#record('auth.sso_provisioned', 'success', user.id, identity, client, { username, roles });
    return { ok: true, user, created: true };
  }

  /** Admin: link an existing account to an IdP subject (for accounts that existed before SSO). */
  async link(userId: string, provider: string, subject: string, client: Client): Promise<void> {
    if (!(await this.#users.get(userId))) throw new LangtrainError('ERR_NOT_FOUND', 'no such user', { userId });
    const holder = await this.#insertLink({ provider, subject }, userId, this.#clock().toISOString());
    if (holder === userId) return;
    // Moving a subject to another account would hand that account to whoever signs in as it.
    if (holder !== null) throw invalidInput(`${provider} subject ${subject} is already linked to another account`, { provider, subject });
    await this.#record('auth.sso_linked', 'success', userId, { provider, subject }, client, {});
  }

  /** Null when the link was made; else the account the subject is already linked to (unchanged). */
  async #insertLink(identity: { provider: string; subject: string }, userId: string, now: string): Promise<string | null> {
    return this.#store.writeTransaction(`sso:${identity.provider}`, async (tx) => {
      const linked = await tx.selectFrom(TABLE).select('user_id').where('provider', '=', identity.provider).where('subject', '=', identity.subject).executeTakeFirst();
      if (linked) return String(linked.user_id);
      await tx.insertInto(TABLE).values({ provider: identity.provider, subject: identity.subject, user_id: userId, created_at: now, last_login_at: now }).execute();
      return null;
    });
  }

  async #refuse(reason: 'not_provisioned' | 'account_conflict' | 'disabled', identity: SsoIdentity, client: Client, userId: string | null = null, data: Record<string, JsonValue> = {}): Promise<SsoAccountResult> {
    await this.#record('auth.sso_login', 'denied', userId, identity, client, { reason, ...data });
    return { ok: false, reason };
  }

  #record(eventType: string, result: string, userId: string | null, identity: { provider: string; subject: string }, client: Client, data: Record<string, JsonValue>): Promise<unknown> {
    return this.#audit.record({
      eventType,
      userId,
      timestamp: this.#clock(),
      result,
      level: 'basic',
      additionalData: { provider: identity.provider, subject: identity.subject, ...data, ip: client.ip, userAgent: client.userAgent },
    });
  }
}

/** Default roles plus those of every mapped group, sorted. */
export function rolesFor(groups: readonly string[], policy: ProvisioningPolicy): string[] {
  const roles = new Set(policy.defaultRoles);
  for (const g of groups) for (const r of policy.groupRoles[g] ?? []) roles.add(r);
  return [...roles].sort();
}
