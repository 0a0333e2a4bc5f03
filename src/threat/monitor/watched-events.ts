import type { AuditStreamEntry } from '../../core/audit-stream.js';
import { canonicalIp } from '../ip-address.js';

/** The seed's `components`: which parts of the platform the monitor watches, each a set of audit event names. */
export const MONITORED_COMPONENTS = ['api_endpoints', 'training_jobs', 'data_pipelines'] as const;
export type MonitoredComponent = (typeof MONITORED_COMPONENTS)[number];

/**
 * The component an event belongs to, by its name: the server's requests, sign-ins and access
 * decisions are `api_endpoints`; training and its privacy budget `training_jobs`; what is done
 * to data sets and the personal data and secrets in them `data_pipelines`. Events of no
 * component (the audit log's own, the monitor's, an application's own names) are not watched.
 */
export function componentOf(eventType: string): MonitoredComponent | null {
  const dot = eventType.indexOf('.');
  const namespace = dot < 0 ? eventType : eventType.slice(0, dot);
  switch (namespace) {
    case 'api':
    case 'auth':
    case 'access':
      return 'api_endpoints';
    case 'model':
      return 'training_jobs';
    case 'privacy':
      return eventType.startsWith('privacy.budget') ? 'training_jobs' : 'data_pipelines';
    case 'pii':
    case 'lineage':
    case 'consent':
    case 'keys':
    case 'secrets':
      return 'data_pipelines';
    default:
      return null;
  }
}

/** Results that say an attempt did not go through. */
const FAILED_RESULTS = new Set(['failure', 'denied', 'error']);

export function isFailure(entry: AuditStreamEntry): boolean {
  return entry.result !== null && FAILED_RESULTS.has(entry.result);
}

/**
 * Who a failed sign-in counts against: its source address and the account it named. Any
 * refused credential counts (password, second factor, recovery code, session, API key, client
 * certificate): an attacker trying API keys is as much a brute force as one trying passwords.
 * The username typed for an unknown account is never used: it is sometimes a password typed
 * into the wrong field.
 */
export function failedSignInKeys(entry: AuditStreamEntry): string[] {
  const type = entry.eventType;
  if (type === null || !isFailure(entry) || !(type.startsWith('auth.') || type === 'api.authentication')) return [];
  // a signed-in caller refused a permission proved who they are: no sign-in failed
  if (entry.additionalData?.reason === 'forbidden') return [];
  const keys: string[] = [];
  const ip = entry.additionalData?.ip;
  if (typeof ip === 'string' && ip !== '') keys.push(`ip:${canonicalIp(ip) ?? ip}`);
  if (entry.userId !== null && entry.userId !== '') keys.push(`user:${entry.userId}`);
  return keys;
}

/** Events that read stored secrets or personal data out of the platform. */
const DATA_READS = new Set(['secrets.read', 'secrets.listed', 'secrets.versions_listed', 'privacy.subject_exported']);

/**
 * The actor of a data read: a secret read or listed, a subject's data exported (GDPR Art. 15),
 * or, at audit level `detailed`, an API read (`GET`) of any `/v1` route. Failed reads count
 * too: probing for what one may not read is part of the pattern.
 */
export function dataReader(entry: AuditStreamEntry): string | null {
  if (entry.userId === null || entry.userId === '' || entry.eventType === null) return null;
  if (DATA_READS.has(entry.eventType)) return entry.userId;
  if (entry.eventType === 'api.request' && entry.additionalData?.method === 'GET') return entry.userId;
  return null;
}

/** The caller of an API request or authentication, for request patterns. */
export function requester(entry: AuditStreamEntry): string | null {
  if (entry.eventType !== 'api.request' && entry.eventType !== 'api.authentication') return null;
  return entry.userId ?? (typeof entry.additionalData?.ip === 'string' ? `ip:${entry.additionalData.ip}` : null);
}

/** A trained model's identity and test accuracy, from a `model.trained` event that has both. */
export function modelAccuracy(entry: AuditStreamEntry): { model: string; accuracy: number } | null {
  if (entry.eventType !== 'model.trained' || entry.result !== 'success') return null;
  const model = entry.additionalData?.model;
  const accuracy = entry.additionalData?.testAccuracy;
  if (typeof model !== 'string' || model === '' || typeof accuracy !== 'number' || !Number.isFinite(accuracy)) return null;
  return { model, accuracy };
}

/**
 * The role with every permission, built into access control (access/ and identity/ name it
 * `admin`; it cannot be edited). Granting it is what privilege escalation means here.
 */
const ALL_PERMISSIONS_ROLE = 'admin';

/**
 * Who was just given the all-permissions role: an account's roles changed to include it
 * (`auth.roles_changed`, `user:<id>`), or a binding of it added (`access.binding_added`, the
 * bound principal as `principal:<name>`). A grant of any other role is routine administration.
 */
export function privilegeGrantee(entry: AuditStreamEntry): string | null {
  if (entry.result !== 'success') return null;
  const data = entry.additionalData;
  if (entry.eventType === 'auth.roles_changed') {
    const before = Array.isArray(data?.before) ? data.before : [];
    const after = Array.isArray(data?.after) ? data.after : [];
    return after.includes(ALL_PERMISSIONS_ROLE) && !before.includes(ALL_PERMISSIONS_ROLE) && entry.userId !== null ? `user:${entry.userId}` : null;
  }
  if (entry.eventType === 'access.binding_added' && data?.role === ALL_PERMISSIONS_ROLE && typeof data.principal === 'string') return `principal:${data.principal}`;
  return null;
}
