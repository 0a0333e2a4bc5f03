import { z } from 'zod';
import { invalidInput } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { checkPermissionGrants } from '../core/permissions.js';
import type { Binding, PrincipalRef, Reason, Role } from './model.js';
import { checkPrincipalRef, checkRoleName, parseInstant, parseScope } from './names.js';
import { refuseRoleInUse } from './role-in-use.js';
import { compileRoles, type CompiledRole } from './role-graph.js';
import { BIND_OPTIONS_KEYS, MAX_DESCRIPTION, ROLE_SPEC_KEYS, refuseUnknownKeys } from './schemas.js';

/**
 * Roles (named sets of permissions, with inheritance) and bindings (principal → role, optionally
 * scoped to a resource type or one resource, optionally expiring): the RBAC half of a decision.
 * In memory and synchronous, so a decision never waits; persistence wraps it.
 */

/** Fields as `roleSpecSchema` (schemas.ts) lists them: any other key is refused. */
export interface RoleSpec {
  permissions: string[];
  inherits?: string[];
  description?: string;
}

/** Fields as `bindOptionsSchema` (schemas.ts) lists them: any other key is refused. */
export interface BindOptions {
  /** `type` (`model`) or `type:id` (`dataset:ds-1`); omitted: every resource. */
  resource?: string;
  /** ISO 8601 instant; the binding grants strictly before it, never at or after. */
  expires?: string;
}

/** The principal as a request names it. */
export interface PrincipalInput {
  id: string;
  roles?: readonly string[];
  groups?: readonly string[];
}

export type GrantReason = Extract<Reason, { kind: 'grant' }>;

/** A principal with more bindings than this is a sign of a missing group, and would slow its decisions. */
export const MAX_BINDINGS_PER_PRINCIPAL = 1_000;
const GROUP_PREFIX = 'group:';

interface CompiledBinding {
  readonly binding: Binding;
  readonly scopeType: string | undefined;
  readonly scopeId: string | undefined;
  readonly expiresMs: number;
}

export class RoleManager {
  readonly #roles = new Map<string, Role>();
  /** Rebuilt on first use after a role changes: role changes are rare, decisions are not. */
  #compiled: Map<string, CompiledRole> | null = null;
  /** Bindings by principal, and those to `group:<name>` by group name (no string building per request). */
  readonly #byPrincipal = new Map<string, CompiledBinding[]>();
  readonly #byGroup = new Map<string, CompiledBinding[]>();
  /** How many bindings have an expiry: with none, a decision need not read the clock for grants. */
  #expiring = 0;

  createRole(name: string, spec: RoleSpec): Role {
    checkRoleName(name);
    if (this.#roles.has(name)) throw invalidInput(`role "${name}" already exists`, { field: 'name' });
    return this.#define(name, spec, 'createRole');
  }

  /** Replaces the role's permissions, parents and description; bindings to it stay. */
  updateRole(name: string, spec: RoleSpec): Role {
    if (!this.#roles.has(name)) throw invalidInput(`role ${JSON.stringify(name)} does not exist`, { field: 'name' });
    return this.#define(name, spec, 'updateRole');
  }

  /** False when there is no such role; refused while another role inherits it or a binding names it. */
  deleteRole(name: string): boolean {
    if (!this.#roles.has(name)) return false;
    refuseRoleInUse(name, [...this.#roles.values()], this.listBindings({ role: name }));
    this.#roles.delete(name);
    this.#compiled = null;
    return true;
  }

  getRole(name: string): Role | undefined {
    return this.#roles.get(name);
  }

  listRoles(): Role[] {
    return [...this.#roles.values()];
  }

  /** Binds (or re-binds, replacing the expiry of) `principal` to `role` on `resource`. */
  bind(principal: PrincipalRef, role: string, options: BindOptions = {}): Binding {
    checkPrincipalRef(principal);
    checkRoleName(role, 'role');
    if (!this.#roles.has(role)) throw invalidInput(`role "${role}" does not exist`, { field: 'role' });
    if (options === null || typeof options !== 'object') throw invalidInput('bind options must be { resource?, expires? }', { field: 'options' });
    refuseUnknownKeys(BIND_OPTIONS_KEYS, options, `RoleManager.bind(${principal} → ${role})`, (message, field, problems) => invalidInput(message, { field, problems }));
    const scope = parseScope(options.resource);
    const expiresMs = options.expires === undefined ? Number.POSITIVE_INFINITY : parseInstant(options.expires, 'expires');
    const binding: Binding = Object.freeze({
      principal,
      role,
      ...(options.resource === undefined ? {} : { resource: options.resource }),
      ...(options.expires === undefined ? {} : { expires: options.expires }),
    });
    const [index, key] = this.#indexOf(principal);
    const list = index.get(key) ?? [];
    const kept = list.filter((b) => !(b.binding.role === role && b.binding.resource === options.resource));
    if (kept.length >= MAX_BINDINGS_PER_PRINCIPAL) throw invalidInput(`principal "${principal}" already has ${MAX_BINDINGS_PER_PRINCIPAL} bindings: bind a group instead`, { field: 'principal' });
    kept.push({ binding, scopeType: scope?.type, scopeId: scope?.id, expiresMs });
    this.#expiring += countExpiring(kept) - countExpiring(list);
    index.set(key, kept);
    return binding;
  }

  /** Removes the binding of `principal` to `role` on exactly `resource` (omitted: the unscoped one). */
  unbind(principal: PrincipalRef, role: string, options: { resource?: string } = {}): boolean {
    // A misspelt `resource` would otherwise remove the unscoped binding instead.
    options = parseOptions(unbindOptions, options, 'RoleManager.unbind');
    const [index, key] = this.#indexOf(principal);
    const list = index.get(key);
    if (list === undefined) return false;
    const kept = list.filter((b) => !(b.binding.role === role && b.binding.resource === options.resource));
    if (kept.length === list.length) return false;
    this.#expiring += countExpiring(kept) - countExpiring(list);
    if (kept.length === 0) index.delete(key);
    else index.set(key, kept);
    return true;
  }

  get hasExpiringBindings(): boolean {
    return this.#expiring > 0;
  }

  /** Bindings, expired ones included (they never grant), optionally of one principal or role. */
  listBindings(filter: { principal?: PrincipalRef; role?: string } = {}): Binding[] {
    filter = parseOptions(bindingFilter, filter, 'RoleManager.listBindings');
    const out: Binding[] = [];
    for (const list of [...this.#byPrincipal.values(), ...this.#byGroup.values()]) {
      for (const { binding } of list) {
        if ((filter.principal === undefined || binding.principal === filter.principal) && (filter.role === undefined || binding.role === filter.role)) out.push(binding);
      }
    }
    return out;
  }

  /**
   * The first grant of `action` to `principal` on this resource at `nowMs`: its own bindings,
   * then its groups', then the roles the request asserts. `wildcard` is `resource.*` of the
   * action (the caller has it cached). Undefined when nothing grants it.
   */
  grantFor(principal: PrincipalInput, action: string, wildcard: string, type: string, id: string, nowMs: number): GrantReason | undefined {
    const roles = this.#compiledRoles();
    const own = this.#byPrincipal.get(principal.id);
    if (own !== undefined) {
      const grant = grantIn(own, roles, action, wildcard, type, id, nowMs);
      if (grant !== undefined) return grant;
    }
    const groups = principal.groups;
    if (groups !== undefined) {
      for (let i = 0; i < groups.length; i++) {
        const list = this.#byGroup.get(groups[i] as string);
        if (list === undefined) continue;
        const grant = grantIn(list, roles, action, wildcard, type, id, nowMs);
        if (grant !== undefined) return grant;
      }
    }
    const asserted = principal.roles;
    if (asserted !== undefined) {
      for (let i = 0; i < asserted.length; i++) {
        const name = asserted[i] as string;
        const role = roles.get(name);
        const grant = role === undefined ? undefined : grantOf(name, role.grants, action, wildcard, 'request');
        if (grant !== undefined) return grant;
      }
    }
    return undefined;
  }

  /**
   * The roles `principal` holds on this resource at `nowMs` (bound, through groups or asserted),
   * with the roles they inherit, first-seen order: `user.roles` in conditions.
   */
  rolesHeld(principal: PrincipalInput, type: string, id: string, nowMs: number): readonly string[] {
    const roles = this.#compiledRoles();
    const held: HeldRoles = {};
    for (const b of this.#byPrincipal.get(principal.id) ?? NO_BINDINGS) if (applies(b, type, id, nowMs)) hold(held, roles, b.binding.role);
    for (const group of principal.groups ?? NO_NAMES) {
      for (const b of this.#byGroup.get(group) ?? NO_BINDINGS) if (applies(b, type, id, nowMs)) hold(held, roles, b.binding.role);
    }
    for (const name of principal.roles ?? NO_NAMES) hold(held, roles, name);
    return held.all === undefined ? (held.first ?? NO_NAMES) : [...held.all];
  }

  /** The permission patterns of `roles` (names as {@link rolesHeld} returns them, closure included). */
  patternsOf(roles: readonly string[]): Set<string> {
    const compiled = this.#compiledRoles();
    const out = new Set<string>();
    for (const r of roles) for (const p of compiled.get(r)?.grants.keys() ?? []) out.add(p);
    return out;
  }

  /** Every concrete `resource.action` some role names: part of the action catalogue of whatCan. */
  namedActions(): string[] {
    const out = new Set<string>();
    for (const role of this.#roles.values()) for (const p of role.permissions) if (!p.endsWith('*')) out.add(p);
    return [...out];
  }

  #define(name: string, spec: RoleSpec, method: string): Role {
    if (spec === null || typeof spec !== 'object') throw invalidInput('a role needs { permissions, inherits?, description? }', { field: 'permissions' });
    // `inherit: [...]` for `inherits` would otherwise define a role that inherits nothing.
    refuseUnknownKeys(ROLE_SPEC_KEYS, spec, `RoleManager.${method}(${JSON.stringify(name)})`, (message, field, problems) => invalidInput(message, { field, problems }));
    const permissions = checkPermissionGrants(spec.permissions);
    const inherits = spec.inherits === undefined ? undefined : this.#checkParents(name, spec.inherits);
    if (spec.description !== undefined && (typeof spec.description !== 'string' || spec.description.length > MAX_DESCRIPTION)) {
      throw invalidInput(`description must be a string of at most ${MAX_DESCRIPTION} characters`, { field: 'description' });
    }
    const role: Role = Object.freeze({
      name,
      permissions: Object.freeze(permissions) as string[],
      ...(inherits === undefined ? {} : { inherits: Object.freeze(inherits) as string[] }),
      ...(spec.description === undefined ? {} : { description: spec.description }),
    });
    this.#roles.set(name, role);
    this.#compiled = null;
    return role;
  }

  #checkParents(name: string, inherits: unknown): string[] {
    if (!Array.isArray(inherits)) throw invalidInput('inherits must be a list of role names', { field: 'inherits' });
    const parents = [...new Set(inherits.map((p) => checkRoleName(p, 'inherits')))];
    for (const parent of parents) {
      if (!this.#roles.has(parent) && parent !== name) throw invalidInput(`role "${name}" inherits unknown role "${parent}"`, { field: 'inherits' });
      const path = this.#pathTo(parent, name);
      if (path !== undefined) throw invalidInput(`role "${name}" would inherit itself: ${[name, ...path].join(' → ')}`, { field: 'inherits' });
    }
    return parents;
  }

  /** The inheritance path from `from` down to `target` (both included), if `from` reaches it. */
  #pathTo(from: string, target: string, seen = new Set<string>()): string[] | undefined {
    if (from === target) return [from];
    if (seen.has(from)) return undefined;
    seen.add(from);
    for (const parent of this.#roles.get(from)?.inherits ?? []) {
      const rest = this.#pathTo(parent, target, seen);
      if (rest !== undefined) return [from, ...rest];
    }
    return undefined;
  }

  #compiledRoles(): Map<string, CompiledRole> {
    return (this.#compiled ??= compileRoles(this.#roles));
  }

  #indexOf(principal: string): [Map<string, CompiledBinding[]>, string] {
    return principal.startsWith(GROUP_PREFIX) ? [this.#byGroup, principal.slice(GROUP_PREFIX.length)] : [this.#byPrincipal, principal];
  }
}

const unbindOptions = z.strictObject({ resource: z.string().optional() });
const bindingFilter = z.strictObject({ principal: z.string().optional(), role: z.string().optional() });

const NO_BINDINGS: readonly CompiledBinding[] = Object.freeze([]);
const NO_NAMES: readonly string[] = Object.freeze([]);

/** Most principals hold one role: its closure is used as it is, and a set built only for a second. */
interface HeldRoles {
  first?: readonly string[];
  all?: Set<string>;
}

function hold(held: HeldRoles, roles: Map<string, CompiledRole>, name: string): void {
  const closure = roles.get(name)?.closure;
  if (closure === undefined || closure === held.first) return;
  if (held.first === undefined) held.first = closure;
  else for (const r of closure) (held.all ??= new Set(held.first)).add(r);
}

function countExpiring(list: readonly CompiledBinding[]): number {
  return list.reduce((n, b) => (b.expiresMs === Number.POSITIVE_INFINITY ? n : n + 1), 0);
}

function applies(b: CompiledBinding, type: string, id: string, nowMs: number): boolean {
  return nowMs < b.expiresMs && (b.scopeType === undefined || (b.scopeType === type && (b.scopeId === undefined || b.scopeId === id)));
}

function grantIn(list: readonly CompiledBinding[], roles: Map<string, CompiledRole>, action: string, wildcard: string, type: string, id: string, nowMs: number): GrantReason | undefined {
  for (let i = 0; i < list.length; i++) {
    const b = list[i] as CompiledBinding;
    if (!applies(b, type, id, nowMs)) continue;
    const role = roles.get(b.binding.role);
    const grant = role === undefined ? undefined : grantOf(b.binding.role, role.grants, action, wildcard, b.binding);
    if (grant !== undefined) return grant;
  }
  return undefined;
}

/** The most specific pattern in `grants` that covers `action`: exact, then `resource.*`, then `*`. */
function grantOf(role: string, grants: ReadonlyMap<string, string>, action: string, wildcard: string, binding: Binding | 'request'): GrantReason | undefined {
  let carrier = grants.get(action);
  if (carrier !== undefined) return grantReason(role, carrier, binding, action);
  carrier = grants.get(wildcard);
  if (carrier !== undefined) return grantReason(role, carrier, binding, wildcard);
  carrier = grants.get('*');
  return carrier === undefined ? undefined : grantReason(role, carrier, binding, '*');
}

function grantReason(role: string, carrier: string, binding: Binding | 'request', permission: string): GrantReason {
  return carrier === role ? { kind: 'grant', role, binding, permission } : { kind: 'grant', role, via: carrier, binding, permission };
}
