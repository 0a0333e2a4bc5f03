import { permissionGranted } from '../core/permissions.js';
import type { Authorizer } from '../access/authorizer.js';

/** Who a request acts as, once authenticated. */
export type Principal =
  | { kind: 'user'; userId: string; username: string; roles: readonly string[]; mfa: boolean; sessionId: string; via: 'cookie' | 'bearer'; signedInAt: string }
  | { kind: 'api_key'; userId: string; ownerUsername: string; keyId: string; permissions: readonly string[]; ownerRoles: readonly string[] }
  | { kind: 'service'; name: string };

/** How the audit log names the principal: `user:<id>`, `api_key:<id>`, `service:<CN>`. */
export function actorOf(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
      return `user:${principal.userId}`;
    case 'api_key':
      return `api_key:${principal.keyId}`;
    case 'service':
      return `service:${principal.name}`;
  }
}

/**
 * Whether the principal may perform `permission` (`resource.action`) on this server, decided by
 * the deployment's Authorizer like any other request (roles, bindings and policies from
 * `/v1/access`; the built-in `admin` role holds `*`):
 *
 * - a user: as its username, holding its account roles (and whatever bindings name it);
 * - an API key: only what its own grants cover, and of that, what its owner may do now (a key
 *   never outlives its owner's demotion) or what bindings naming the key itself
 *   (`api_key:<id>`) give it: an administrator's explicit grant to that key, as to a service;
 * - a service certificate: as `service:<CN>`, through bindings only.
 *
 * The resource is the server's domain (`audit`, `keys`, …) named by the permission, id `*`.
 */
export function mayPerform(principal: Principal, permission: string, authorizer: Authorizer): boolean {
  const type = permission.slice(0, permission.indexOf('.'));
  const decide = (id: string, roles: readonly string[]) => authorizer.decide({ principal: { id, roles: [...roles] }, action: permission, resource: { type, id: '*' } }).allowed;
  switch (principal.kind) {
    case 'user':
      return decide(principal.username, principal.roles);
    case 'api_key':
      return permissionGranted(principal.permissions, permission) && (decide(principal.ownerUsername, principal.ownerRoles) || decide(`api_key:${principal.keyId}`, []));
    case 'service':
      return decide(`service:${principal.name}`, []);
  }
}
