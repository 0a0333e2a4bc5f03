import type { Dialect } from '../../store/database.js';
import type { ApiKeyEnvironment } from './api-key-format.js';

/** An API key's stored record, its row mapping, and the pure rules of its lifecycle. */

/** `rotating`: rotated, still working until `graceUntil`. */
export type ApiKeyStatus = 'active' | 'rotating' | 'revoked' | 'expired' | 'rotated_out';

/** One key as stored, without its secret or hash. */
export interface ApiKey {
  id: string;
  userId: string;
  name: string | null;
  environment: ApiKeyEnvironment;
  permissions: string[];
  /** As written at creation, e.g. `1000/hour`; null: no per-key limit. */
  rateLimit: string | null;
  autoRotate: boolean;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  rotatedFrom: string | null;
  rotatedTo: string | null;
  /** When a rotated key stops working. */
  graceUntil: string | null;
  /** An auto-rotated successor waiting to be claimed. */
  successorPending: boolean;
}

/** Auto-rotation starts this long before expiry at most... */
export const ROTATION_LEAD_MS = 7 * 86_400_000;
/** ...and at most this share of the key's lifetime, so a 1-day key is not rotated at birth. */
const ROTATION_LEAD_SHARE = 0.2;

/** Pure: the key's state at `now`. Revocation wins, then the end of a rotation's grace, then expiry. */
export function statusAt(k: Pick<ApiKey, 'revokedAt' | 'rotatedTo' | 'graceUntil' | 'expiresAt'>, now: Date): ApiKeyStatus {
  const t = now.getTime();
  if (k.revokedAt !== null) return 'revoked';
  if (k.rotatedTo !== null && k.graceUntil !== null && t >= Date.parse(k.graceUntil)) return 'rotated_out';
  if (t >= Date.parse(k.expiresAt)) return 'expired';
  return k.rotatedTo !== null ? 'rotating' : 'active';
}

/** How long before expiry auto-rotation starts: 7 days, or 20% of the lifetime if less. */
export function rotationLeadMs(k: Pick<ApiKey, 'createdAt' | 'expiresAt'>): number {
  return Math.min(ROTATION_LEAD_MS, Math.floor((Date.parse(k.expiresAt) - Date.parse(k.createdAt)) * ROTATION_LEAD_SHARE));
}

export function toApiKey(row: Record<string, unknown>): ApiKey {
  const text = (v: unknown) => (v == null ? null : String(v));
  return {
    id: String(row.id),
    userId: String(row.user_id),
    name: text(row.name),
    environment: String(row.environment) as ApiKeyEnvironment,
    permissions: JSON.parse(String(row.permissions)) as string[],
    rateLimit: text(row.rate_limit),
    autoRotate: Boolean(row.auto_rotate),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
    revokedAt: text(row.revoked_at),
    rotatedFrom: text(row.rotated_from),
    rotatedTo: text(row.rotated_to),
    graceUntil: text(row.grace_until),
    successorPending: row.sealed_key != null,
  };
}

export function toApiKeyRow(k: ApiKey, secretHash: string, sealedKey: string | null, dialect: Dialect): Record<string, unknown> {
  return {
    id: k.id,
    user_id: k.userId,
    name: k.name,
    environment: k.environment,
    secret_hash: secretHash,
    permissions: JSON.stringify(k.permissions),
    rate_limit: k.rateLimit,
    auto_rotate: sqlBool(dialect, k.autoRotate),
    created_at: k.createdAt,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
    rotated_from: k.rotatedFrom,
    rotated_to: k.rotatedTo,
    grace_until: k.graceUntil,
    sealed_key: sealedKey,
  };
}

/** better-sqlite3 binds no booleans; the SQLite column is INTEGER 0/1. */
export function sqlBool(dialect: Dialect, value: boolean): boolean | number {
  return dialect === 'sqlite' ? Number(value) : value;
}
