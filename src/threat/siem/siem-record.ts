import { isIP } from 'node:net';
import type { JsonValue } from '../../core/audit-sink.js';
import type { AuditStreamEntry } from '../../core/audit-stream.js';

/**
 * What of an audit entry goes to a SIEM. On a log that seals payloads, an entry naming a user
 * has its payload sealed under that user's key, so that their erasure shreds it: a copy in
 * another system would outlive the erasure. Such payloads, and user ids kept only as
 * pseudonyms, stay out unless the integration says `sealedPayloads: 'send'`; the record says
 * `withheld` and carries the entry's index, so an analyst can open the rest in the log itself.
 * Entries naming no user (system events, alerts, sign-ins to unknown accounts) go whole.
 */
export interface SiemRecord {
  index: number;
  /** Event time, ISO 8601. */
  timestamp: string;
  eventType: string;
  result: string | null;
  userId: string | null;
  /** The client address the entry names, when it is an IP address. */
  sourceIp: string | null;
  data: { [key: string]: JsonValue };
  /** The payload was left out (see above). */
  withheld: boolean;
  /** 0–10 (CEF): 8 for an alert, 5 for a failure or refusal, 2 otherwise. */
  severity: number;
}

const FAILED = new Set(['failure', 'denied', 'error']);

/** The record of `entry`, or null for an entry retention has pruned (nothing left to send). */
export function siemRecord(entry: AuditStreamEntry, sendSealed: boolean): SiemRecord | null {
  if (entry.eventType === null || entry.timestamp === null) return null;
  const sealedPayload = entry.payload !== undefined && entry.payload !== 'clear';
  const withheld = sealedPayload && !sendSealed && entry.userId !== null;
  const data: { [key: string]: JsonValue } = withheld ? {} : { ...entry.additionalData };
  const ip = data.ip;
  const sourceIp = typeof ip === 'string' && isIP(ip) !== 0 ? ip : null;
  return {
    index: entry.index,
    timestamp: entry.timestamp,
    eventType: entry.eventType,
    result: entry.result,
    userId: entry.userIdSealed && !sendSealed ? null : entry.userId,
    sourceIp,
    data,
    withheld,
    severity: entry.eventType === 'threat.alert' ? 8 : entry.result !== null && FAILED.has(entry.result) ? 5 : 2,
  };
}
