import { randomUUID } from 'node:crypto';
import type { AuditSink, JsonValue } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import type { Store, WriteTx } from '../../store/database.js';
import type { Binding, Policy, Role } from '../model.js';
import { refuseRoleInUse } from '../role-in-use.js';

/** Everything that decides, as one document (the policy file's shape). */
export interface AccessDocument {
  roles: Role[];
  bindings: Binding[];
  policies: Policy[];
}

export interface StoredBinding extends Binding {
  id: string;
}

export interface AccessSnapshot {
  revision: number;
  roles: Role[];
  bindings: StoredBinding[];
  policies: Policy[];
}

/**
 * The built-in role every deployment has: the first administrator (setup code) holds it
 * before anyone has written a role. It is not stored and cannot be changed or deleted, so no
 * edit can lock every administrator out.
 */
export const BUILT_IN_ROLES: readonly Role[] = Object.freeze([{ name: 'admin', permissions: ['*'], description: 'built in: every permission' }]);

const ROLES = 'access_roles';
const BINDINGS = 'access_bindings';
const POLICIES = 'access_policies';
const REVISION = 'access_revision';
const LOCK = 'access';

/**
 * Roles, bindings and policies in the store (migrated with `accessMigrations`, domain
 * `access`). Every change is checked by `validate` against the whole resulting document
 * before it is written (a role that another role inherits or a binding names cannot be
 * deleted, a policy that does not compile is never stored), bumps the revision in the same
 * transaction, and is audited with the actor. Instances compare `revision()` with what they
 * compiled and reload when it moved.
 */
export class AccessStore {
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #validate: (document: AccessDocument) => void;
  readonly #changed: (snapshot: AccessSnapshot) => void;
  readonly #clock: () => Date;

  /** `changed` sees the snapshot after each change this store made (AccessControl recompiles at once). */
  constructor(deps: { store: Store; audit: AuditSink; validate: (document: AccessDocument) => void; changed?: (snapshot: AccessSnapshot) => void; clock?: () => Date }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#validate = deps.validate;
    this.#changed = deps.changed ?? (() => undefined);
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** The revision counter: one indexed read. */
  async revision(): Promise<number> {
    const row = await this.#store.db.selectFrom(REVISION).select('revision').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.revision);
  }

  async snapshot(): Promise<AccessSnapshot> {
    return readSnapshot(this.#store.db);
  }

  async putRole(role: Role, actor: string | null): Promise<AccessSnapshot> {
    refuseBuiltIn(role.name);
    return this.#change(actor, 'access.role_saved', { role: role.name }, async (tx, doc) => {
      doc.roles = [...doc.roles.filter((r) => r.name !== role.name), role];
      this.#validate(withoutIds(doc));
      const values = { permissions: JSON.stringify(role.permissions), inherits: JSON.stringify(role.inherits ?? []), description: role.description ?? null, updated_at: this.#now() };
      const updated = await tx.updateTable(ROLES).set(values).where('name', '=', role.name).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) await tx.insertInto(ROLES).values({ name: role.name, ...values }).execute();
    });
  }

  async deleteRole(name: string, actor: string | null): Promise<AccessSnapshot> {
    refuseBuiltIn(name);
    return this.#change(actor, 'access.role_deleted', { role: name }, async (tx, doc) => {
      if (!doc.roles.some((r) => r.name === name)) throw new LangtrainError('ERR_NOT_FOUND', `no role ${name}`);
      refuseRoleInUse(name, doc.roles, doc.bindings);
      doc.roles = doc.roles.filter((r) => r.name !== name);
      this.#validate(withoutIds(doc));
      await tx.deleteFrom(ROLES).where('name', '=', name).execute();
    });
  }

  async addBinding(binding: Binding, actor: string | null): Promise<{ id: string; snapshot: AccessSnapshot }> {
    const id = randomUUID();
    const snapshot = await this.#change(actor, 'access.binding_added', { bindingId: id, principal: binding.principal, role: binding.role, resource: binding.resource ?? null, expires: binding.expires ?? null }, async (tx, doc) => {
      doc.bindings = [...doc.bindings, { ...binding, id }];
      this.#validate(withoutIds(doc));
      await tx.insertInto(BINDINGS).values({ id, principal: binding.principal, role: binding.role, resource: binding.resource ?? null, expires: binding.expires ?? null, created_at: this.#now() }).execute();
    });
    return { id, snapshot };
  }

  async deleteBinding(id: string, actor: string | null): Promise<AccessSnapshot> {
    return this.#change(actor, 'access.binding_deleted', { bindingId: id }, async (tx, doc) => {
      if (!doc.bindings.some((b) => b.id === id)) throw new LangtrainError('ERR_NOT_FOUND', `no binding ${id}`);
      await tx.deleteFrom(BINDINGS).where('id', '=', id).execute();
    });
  }

  async putPolicy(policy: Policy, actor: string | null): Promise<AccessSnapshot> {
    return this.#change(actor, 'access.policy_saved', { policy: policy.name, effect: policy.effect }, async (tx, doc) => {
      doc.policies = [...doc.policies.filter((p) => p.name !== policy.name), policy];
      this.#validate(withoutIds(doc));
      const values = {
        effect: policy.effect,
        condition: policy.condition,
        actions: policy.actions ? JSON.stringify(policy.actions) : null,
        resources: policy.resources ? JSON.stringify(policy.resources) : null,
        description: policy.description ?? null,
        updated_at: this.#now(),
      };
      const updated = await tx.updateTable(POLICIES).set(values).where('name', '=', policy.name).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) await tx.insertInto(POLICIES).values({ name: policy.name, ...values }).execute();
    });
  }

  async deletePolicy(name: string, actor: string | null): Promise<AccessSnapshot> {
    return this.#change(actor, 'access.policy_deleted', { policy: name }, async (tx, doc) => {
      if (!doc.policies.some((p) => p.name === name)) throw new LangtrainError('ERR_NOT_FOUND', `no policy ${name}`);
      await tx.deleteFrom(POLICIES).where('name', '=', name).execute();
    });
  }

  /**
   * Replace everything with `document` (a policy file applied as a whole), in one transaction:
   * validated first, so a bad file changes nothing.
   */
  async replaceAll(given: AccessDocument, actor: string | null): Promise<AccessSnapshot> {
    // A document may restate a built-in role as it is (a policy file written for `iam check`); it is not stored.
    for (const r of given.roles) {
      const builtIn = BUILT_IN_ROLES.find((b) => b.name === r.name);
      if (builtIn && JSON.stringify([...r.permissions].sort()) !== JSON.stringify(builtIn.permissions)) refuseBuiltIn(r.name);
    }
    // Validated as given, so a problem's `roles.<i>` is the caller's own index.
    this.#validate(given);
    const document = { ...given, roles: given.roles.filter((r) => !BUILT_IN_ROLES.some((b) => b.name === r.name)) };
    return this.#change(actor, 'access.replaced', { roles: document.roles.length, bindings: document.bindings.length, policies: document.policies.length }, async (tx) => {
      await tx.deleteFrom(BINDINGS).execute();
      await tx.deleteFrom(POLICIES).execute();
      await tx.deleteFrom(ROLES).execute();
      const now = this.#now();
      for (const r of document.roles) await tx.insertInto(ROLES).values({ name: r.name, permissions: JSON.stringify(r.permissions), inherits: JSON.stringify(r.inherits ?? []), description: r.description ?? null, updated_at: now }).execute();
      for (const b of document.bindings) await tx.insertInto(BINDINGS).values({ id: randomUUID(), principal: b.principal, role: b.role, resource: b.resource ?? null, expires: b.expires ?? null, created_at: now }).execute();
      for (const p of document.policies) {
        await tx
          .insertInto(POLICIES)
          .values({ name: p.name, effect: p.effect, condition: p.condition, actions: p.actions ? JSON.stringify(p.actions) : null, resources: p.resources ? JSON.stringify(p.resources) : null, description: p.description ?? null, updated_at: now })
          .execute();
      }
    });
  }

  async #change(actor: string | null, eventType: string, data: Record<string, JsonValue>, work: (tx: WriteTx, doc: AccessSnapshot) => Promise<void>): Promise<AccessSnapshot> {
    const snapshot = await this.#store.writeTransaction(LOCK, async (tx) => {
      const doc = await readSnapshot(tx);
      await work(tx, doc);
      await tx.updateTable(REVISION).set({ revision: doc.revision + 1 }).where('id', '=', 1).execute();
      return readSnapshot(tx);
    });
    await this.#audit.record({ eventType, userId: actor, timestamp: this.#clock(), result: 'success', level: 'basic', additionalData: { ...data, revision: snapshot.revision } });
    this.#changed(snapshot);
    return snapshot;
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

async function readSnapshot(db: WriteTx): Promise<AccessSnapshot> {
  const [revision, roles, bindings, policies] = await Promise.all([
    db.selectFrom(REVISION).select('revision').where('id', '=', 1).executeTakeFirstOrThrow(),
    db.selectFrom(ROLES).selectAll().orderBy('name').execute(),
    db.selectFrom(BINDINGS).selectAll().orderBy('created_at').orderBy('id').execute(),
    db.selectFrom(POLICIES).selectAll().orderBy('name').execute(),
  ]);
  const list = (text: unknown): string[] => JSON.parse(String(text)) as string[];
  return {
    revision: Number(revision.revision),
    roles: roles.map((r) => ({ name: String(r.name), permissions: list(r.permissions), ...(list(r.inherits).length > 0 ? { inherits: list(r.inherits) } : {}), ...(r.description != null ? { description: String(r.description) } : {}) })),
    bindings: bindings.map((b) => ({
      id: String(b.id),
      principal: String(b.principal),
      role: String(b.role),
      ...(b.resource != null ? { resource: String(b.resource) } : {}),
      ...(b.expires != null ? { expires: String(b.expires) } : {}),
    })),
    policies: policies.map((p) => ({
      name: String(p.name),
      effect: String(p.effect) as Policy['effect'],
      condition: String(p.condition),
      ...(p.actions != null ? { actions: list(p.actions) } : {}),
      ...(p.resources != null ? { resources: list(p.resources) } : {}),
      ...(p.description != null ? { description: String(p.description) } : {}),
    })),
  };
}

function refuseBuiltIn(name: string): void {
  if (BUILT_IN_ROLES.some((r) => r.name === name)) throw invalidInput(`role ${name} is built in (every permission) and cannot be changed or deleted; make another role for narrower rights`, { role: name });
}

function withoutIds(doc: AccessSnapshot): AccessDocument {
  return { roles: doc.roles, bindings: doc.bindings.map(({ id: _, ...b }) => b), policies: doc.policies };
}
