import { invalidInput } from '../../core/errors.js';
import type { FailureState } from './failure-counter.js';

/**
 * How an account's row maps to what callers see, and the checks on the values that name a
 * user or a client. Pure: no I/O.
 */

/** An account as callers see it. Never holds the password hash, TOTP secret or codes. */
export interface User {
  id: string;
  /** NFKC, lower-cased: the form compared at sign-in. */
  username: string;
  createdAt: string;
  passwordChangedAt: string;
  disabled: boolean;
  /** Whether a confirmed TOTP second factor is enrolled. */
  mfa: boolean;
  /** False for an account that signs in only through SSO, or whose password is not set yet. */
  hasPassword: boolean;
  /** Role names, sorted (see RoleManager for what they grant). */
  roles: string[];
  /** The verified number (E.164) SMS codes go to, or null. */
  phone: string | null;
}

/** Where a request came from, for the audit trail. */
export interface ClientInfo {
  ip?: string | null;
  /** Kept to its first 512 characters. */
  userAgent?: string | null;
}

export const MAX_USERNAME = 254;
/** Principal kinds of bindings (access/model.ts): never the start of a username. */
const RESERVED_PREFIXES = ['service:', 'api_key:', 'group:', 'user:'];
const MAX_IP = 100;
const MAX_USER_AGENT = 512;

export type Row = Record<string, unknown>;
export interface Client {
  ip: string | null;
  userAgent: string | null;
}

/** NFKC then lower case (as PasswordPolicy folds), trimmed; null when unusable. */
export function normaliseUsername(username: unknown): string | null {
  if (typeof username !== 'string') return null;
  const name = username.normalize('NFKC').toLowerCase().trim();
  // eslint-disable-next-line no-control-regex
  // an unpaired surrogate (\p{Cs} in Unicode mode) is no text a store or the audit log keeps as given
  if (name.length === 0 || [...name].length > MAX_USERNAME || /[\u0000-\u001f\u007f]|\p{Cs}/u.test(name)) return null;
  // Authorization names services, API keys and groups by these prefixes: an account must not pass for one.
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return null;
  return name;
}

export function userLock(id: string): string {
  return `users:${id}`;
}

export function failureState(row: Row): FailureState {
  return {
    failures: Number(row.failures ?? 0),
    windowStartMs: row.failure_window_start == null ? null : Date.parse(String(row.failure_window_start)),
    lockedUntilMs: row.locked_until == null ? null : Date.parse(String(row.locked_until)),
    lockouts: Number(row.lockouts ?? 0),
  };
}

export function failureColumns(state: FailureState): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { failures: state.failures, failure_window_start: iso(state.windowStartMs), locked_until: iso(state.lockedUntilMs), lockouts: state.lockouts };
}

export function toUser(row: Row): User {
  return {
    id: String(row.id),
    username: String(row.username),
    createdAt: String(row.created_at),
    passwordChangedAt: String(row.password_changed_at),
    disabled: row.disabled_at != null,
    mfa: row.totp_secret != null,
    hasPassword: row.password_hash != null,
    roles: JSON.parse(String(row.roles ?? '[]')) as string[],
    phone: row.phone == null ? null : String(row.phone),
  };
}

const ROLE_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_ROLES = 100;

/** Sorted, de-duplicated role names; refused unless each is lower-case `[a-z][a-z0-9_.-]*` of at most 64 characters. */
export function checkRoles(roles: unknown): string[] {
  if (!Array.isArray(roles) || roles.length > MAX_ROLES) throw invalidInput(`roles must be an array of at most ${MAX_ROLES} role names`, { option: 'roles' });
  const bad = roles.filter((r) => typeof r !== 'string' || !ROLE_NAME.test(r));
  if (bad.length > 0) throw invalidInput(`roles: ${bad.map((r) => JSON.stringify(r)).join(', ')} is not a role name (lower case letters, digits, "_", "." or "-", starting with a letter, at most 64)`, { option: 'roles' });
  return [...new Set(roles as string[])].sort();
}

export function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalidInput('user id must be a string as createUser returns it');
  return id;
}

export function clientOf(client: ClientInfo): Client {
  const ip = client?.ip ?? null;
  if (ip !== null && (typeof ip !== 'string' || ip.length > MAX_IP)) throw invalidInput(`ip must be a string of at most ${MAX_IP} characters, or omitted`);
  const ua = client?.userAgent ?? null;
  if (ua !== null && typeof ua !== 'string') throw invalidInput('userAgent must be a string, or omitted');
  return { ip, userAgent: ua === null ? null : ua.slice(0, MAX_USER_AGENT) };
}
