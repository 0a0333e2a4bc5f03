import { invalidInput } from './errors.js';

/**
 * Permissions, as roles and API keys carry them: `resource.action` strings (`models.inference`), after
 * the scopes of GitHub fine-grained tokens and the `service:action` actions of AWS IAM.
 *
 * A grant may be a wildcard: `*` (everything) or `resource.*` (every action on one resource).
 * A request is always concrete: asking whether a key may do `models.*` would be ambiguous
 * (some action? all of them?), so it is refused as malformed input.
 *
 * Segments are lower-case letters, digits, `_` and `-`, starting with a letter; exactly two
 * segments, so `models.*` can never be read as a grant over `models.inference.admin`.
 */
const SEGMENT = '[a-z][a-z0-9_-]{0,63}';
const GRANT = new RegExp(`^(?:\\*|${SEGMENT}\\.(?:\\*|${SEGMENT}))$`);
const REQUEST = new RegExp(`^${SEGMENT}\\.${SEGMENT}$`);

/** Most permissions one key may carry: a key with more is a sign of a missing role. */
export const MAX_PERMISSIONS = 64;

/** The grants as given, checked and de-duplicated (first occurrence kept). */
export function checkPermissionGrants(permissions: unknown): string[] {
  if (!Array.isArray(permissions) || permissions.length === 0 || permissions.length > MAX_PERMISSIONS) {
    throw invalidInput(`permissions must be a list of 1 to ${MAX_PERMISSIONS} 'resource.action' strings ('*' and 'resource.*' allowed)`, { option: 'permissions' });
  }
  const seen = new Set<string>();
  for (const p of permissions) {
    if (typeof p !== 'string' || !GRANT.test(p)) {
      throw invalidInput(`permission ${JSON.stringify(String(p).slice(0, 80))} is not 'resource.action', 'resource.*' or '*'`, { option: 'permissions' });
    }
    seen.add(p);
  }
  return [...seen];
}

/** Whether `requested` (concrete `resource.action`) is a well-formed request. */
export function isPermissionRequest(requested: unknown): requested is string {
  return typeof requested === 'string' && REQUEST.test(requested);
}

/** Whether `grants` allow `requested`. Pure; `requested` must pass {@link isPermissionRequest}. */
export function permissionGranted(grants: readonly string[], requested: string): boolean {
  const resource = requested.slice(0, requested.indexOf('.'));
  return grants.some((g) => g === '*' || g === requested || g === `${resource}.*`);
}
