import type { Role } from './model.js';

/**
 * Roles flattened for the decision path: each role's own and inherited permissions in one map,
 * so a grant check is at most three lookups (exact action, `resource.*`, `*`) per role, however
 * deep the inheritance.
 */
export interface CompiledRole {
  /** Permission pattern → the role that carries it (the role itself before any ancestor). */
  readonly grants: ReadonlyMap<string, string>;
  /** The role and every role it inherits, nearest first. */
  readonly closure: readonly string[];
}

/** Inheritance is acyclic and every parent exists: RoleManager refuses anything else. */
export function compileRoles(roles: ReadonlyMap<string, Role>): Map<string, CompiledRole> {
  const out = new Map<string, CompiledRole>();
  for (const name of roles.keys()) {
    const closure = closureOf(roles, name);
    const grants = new Map<string, string>();
    for (const carrier of closure) {
      for (const p of roles.get(carrier)?.permissions ?? []) if (!grants.has(p)) grants.set(p, carrier);
    }
    out.set(name, { grants, closure });
  }
  return out;
}

/** Breadth-first, so the nearest role that carries a permission is the one reasons name. */
function closureOf(roles: ReadonlyMap<string, Role>, name: string): string[] {
  const seen = new Set<string>([name]);
  const queue = [name];
  for (let i = 0; i < queue.length; i++) {
    for (const parent of roles.get(queue[i] as string)?.inherits ?? []) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return queue;
}
