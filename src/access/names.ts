import { invalidInput } from '../core/errors.js';

/**
 * The names the authorization model is built from, checked once when a role, binding or policy
 * is defined, so the decision path can trust them.
 */

/** The same names users carry (identity/users/user-record.ts), so a role in a session is a role here. */
const ROLE_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
const POLICY_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
/**
 * A resource type is also a CEL variable (`dataset.classification_level`), hence an identifier:
 * no `-` or `.`.
 */
const RESOURCE_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
/** Printable, no spaces: `alice`, `group:ml-team`, `api_key:k_123`. */
const PRINCIPAL = /^[\x21-\x7e]{1,200}$/;
const RESOURCE_ID = /^[\x21-\x7e]{1,256}$/;

/**
 * Names a resource type may not take: the other condition variables, CEL's reserved words and
 * type names (a variable called `int` or `in` could not be written in a condition), and
 * `constructor`, which every plain object (the activation) inherits.
 */
const RESERVED_TYPE_NAMES = new Set([
  'user', 'resource', 'action', 'context', 'constructor',
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
  'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn',
  'timestamp', 'duration', 'optional', 'google', 'cel',
]);

export function checkRoleName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !ROLE_NAME.test(name)) {
    throw invalidInput(`role name ${show(name)} must be lower case letters, digits, "_", "." or "-", starting with a letter, at most 64`, { field });
  }
  return name;
}

export function checkPolicyName(name: unknown): string {
  if (typeof name !== 'string' || !POLICY_NAME.test(name)) {
    throw invalidInput(`policy name ${show(name)} must be letters, digits, "_", "." or "-", starting with a letter, at most 128`, { field: 'name' });
  }
  return name;
}

/** Whether `type` can name a resource type (and so a CEL variable). */
export function isResourceType(type: unknown): type is string {
  return typeof type === 'string' && RESOURCE_TYPE.test(type) && !RESERVED_TYPE_NAMES.has(type);
}

export function checkResourceType(type: unknown, field: string): string {
  if (!isResourceType(type)) {
    throw invalidInput(`resource type ${show(type)} must be lower case letters, digits and "_", starting with a letter, at most 64, and not a CEL keyword or one of user, resource, action, context`, { field });
  }
  return type;
}

export function checkPrincipalRef(principal: unknown): string {
  if (typeof principal !== 'string' || !PRINCIPAL.test(principal)) {
    throw invalidInput(`principal ${show(principal)} must be a user id, group:<name> or api_key:<id> (1-200 printable characters, no spaces)`, { field: 'principal' });
  }
  return principal;
}

/** Where a binding applies: every resource (undefined), every resource of `type`, or one `type:id`. */
export interface Scope {
  type: string;
  id?: string;
}

export function parseScope(scope: unknown): Scope | undefined {
  if (scope === undefined) return undefined;
  const text = typeof scope === 'string' ? scope : '';
  const colon = text.indexOf(':');
  const type = colon < 0 ? text : text.slice(0, colon);
  const id = colon < 0 ? undefined : text.slice(colon + 1);
  if (!isResourceType(type) || (id !== undefined && !RESOURCE_ID.test(id))) {
    throw invalidInput(`resource ${show(scope)} must be a resource type ("model") or "type:id" ("dataset:ds-1")`, { field: 'resource' });
  }
  return id === undefined ? { type } : { type, id };
}

/** An ISO 8601 instant with a zone (`2026-12-01T00:00:00Z`), as milliseconds since the epoch. */
export function parseInstant(text: unknown, field: string): number {
  const ms = typeof text === 'string' && INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw invalidInput(`${field} ${show(text)} must be an ISO 8601 instant with a zone, such as 2026-12-01T00:00:00Z`, { field });
  return ms;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value);
}
