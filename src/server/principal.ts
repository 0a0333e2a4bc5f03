import { permissionGranted } from '../core/permissions.js';
import { ADMIN_ROLE } from '../identity/login/first-admin.js';

/** Who a request acts as, once authenticated. */
export type Principal =
  | { kind: 'user'; userId: string; roles: readonly string[]; mfa: boolean; sessionId: string; via: 'cookie' | 'bearer'; signedInAt: string }
  | { kind: 'api_key'; userId: string; keyId: string; permissions: readonly string[]; ownerRoles: readonly string[] }
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
 * Whether the principal may perform `permission` (`resource.action`).
 *
 * Until RoleManager lands, the only role with permissions is `admin` (all of them). An API key
 * may do what its grants say *and* its owner may do now: a key never outlives its owner's
 * demotion. A verified service certificate acts as an administrator (mTLS is configured by
 * the operator for trusted services only; finer service roles come with RoleManager).
 */
export function mayPerform(principal: Principal, permission: string): boolean {
  switch (principal.kind) {
    case 'user':
      return principal.roles.includes(ADMIN_ROLE);
    case 'api_key':
      return principal.ownerRoles.includes(ADMIN_ROLE) && permissionGranted(principal.permissions, permission);
    case 'service':
      return true;
  }
}
