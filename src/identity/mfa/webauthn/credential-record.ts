import type { CredentialDeviceType } from '@simplewebauthn/server';
import type { Dialect } from '../../../store/database.js';

/**
 * How a credential's row maps to what callers see, and the checks on what may be stored.
 * Pure: no I/O.
 */

/** WebAuthn Level 3 §5.8.4 `AuthenticatorTransport` values. */
const TRANSPORTS = ['ble', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
export type WebAuthnTransport = (typeof TRANSPORTS)[number];

/** A registered passkey or security key as callers see it. Never holds the public key or the counter. */
export interface WebAuthnCredential {
  /** The credential id, base64url. */
  id: string;
  userId: string;
  /** The user's label, e.g. "YubiKey 5" or "MacBook". */
  name: string;
  /** How the browser may reach the authenticator (`internal`, `usb`, `hybrid`, ...); passed back as a hint. */
  transports: WebAuthnTransport[];
  /** `multiDevice`: a synced passkey; `singleDevice`: bound to one authenticator. */
  deviceType: CredentialDeviceType;
  /** Whether a synced passkey is currently backed up (as last reported). */
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A credential with what only verification needs. */
export interface StoredCredential extends WebAuthnCredential {
  publicKey: Uint8Array<ArrayBuffer>;
  signCount: number;
}

export type Row = Record<string, unknown>;

/**
 * The transports the client reported, keeping only known values: the list comes from the
 * browser unchecked and is sent back to browsers in later options.
 */
export function knownTransports(reported: unknown): WebAuthnTransport[] {
  if (!Array.isArray(reported)) return [];
  const known = reported.filter((t): t is WebAuthnTransport => TRANSPORTS.includes(t as WebAuthnTransport));
  return [...new Set(known)];
}

export function toRow(credential: StoredCredential, dialect: Dialect): Row {
  return {
    id: credential.id,
    user_id: credential.userId,
    public_key: Buffer.from(credential.publicKey),
    sign_count: credential.signCount,
    transports: JSON.stringify(credential.transports),
    device_type: credential.deviceType,
    backed_up: boolColumn(credential.backedUp, dialect),
    name: credential.name,
    created_at: credential.createdAt,
    last_used_at: credential.lastUsedAt,
  };
}

/** better-sqlite3 binds no booleans; the SQLite column is INTEGER 0/1. */
export function boolColumn(value: boolean, dialect: Dialect): boolean | number {
  return dialect === 'sqlite' ? Number(value) : value;
}

export function toStoredCredential(row: Row): StoredCredential {
  return {
    ...toCredential(row),
    publicKey: Uint8Array.from(row.public_key as Uint8Array),
    // PostgreSQL returns BIGINT as a string; a uint32 is exact as a number.
    signCount: Number(row.sign_count),
  };
}

export function toCredential(row: Row): WebAuthnCredential {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    name: String(row.name),
    transports: knownTransports(JSON.parse(String(row.transports))),
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: Boolean(row.backed_up),
    createdAt: String(row.created_at),
    lastUsedAt: row.last_used_at == null ? null : String(row.last_used_at),
  };
}
