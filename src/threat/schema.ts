import { sql } from 'kysely';
import { columnTypes, type Migration } from '../store/migrations.js';
import type { AlertRule } from './monitor/alert-rules.js';

/**
 * The threat domain's tables:
 *
 * - `threat_monitor_cursor`: the last audit entry the monitor has read, and `replay_from`, the
 *   oldest entry its windows still counted then (a restart reads the log again from there).
 *   Moved in the same transaction that stores the alerts those entries raised, so an entry
 *   raises its alerts exactly once, across restarts and crashes; a second monitor on the same
 *   store finds the cursor moved under it and rebuilds instead of raising them again.
 * - `threat_alerts`: every alert, with the span of audit entries that raised it. `audit_index`
 *   is set once its `threat.alert` entry is written (an outbox: until then a monitor retries it,
 *   having claimed it until `audit_claimed_until`, so two monitors do not both write it);
 *   `handled_at` once incident response has opened its incidents.
 * - `threat_model_accuracy`: each model's last test accuracy, what its next training is
 *   compared with; unlike the windows it outlives any restart.
 * - `threat_siem_cursor`: how far each SIEM destination has been sent, by its endpoint.
 * - `threat_playbooks`, `threat_incidents` (each action's outcome; `actions_lease_until`: a
 *   process is running its actions), `threat_blocked_addresses`: incident response.
 */
export const CURSOR_TABLE = 'threat_monitor_cursor';
export const ALERTS_TABLE = 'threat_alerts';
export const MODEL_ACCURACY_TABLE = 'threat_model_accuracy';
/** One monitor per store. */
export const CURSOR_NAME = 'monitor';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const threatMigrations: Migration[] = [
  {
    id: '0001_threat',
    async up(tx, dialect) {
      const { bigint } = columnTypes(dialect);
      await sql`CREATE TABLE threat_monitor_cursor (
        name TEXT PRIMARY KEY,
        last_index ${bigint} NOT NULL,
        replay_from ${bigint} NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE threat_alerts (
        id TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        alert_key TEXT NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        threshold DOUBLE PRECISION NOT NULL,
        first_index ${bigint} NOT NULL,
        last_index ${bigint} NOT NULL,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL,
        detail TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
        status_changed_at TEXT,
        status_changed_by TEXT,
        audit_index ${bigint},
        audit_claimed_until TEXT,
        handled_at TEXT
      )`.execute(tx);
      await sql`CREATE INDEX threat_alerts_raised ON threat_alerts (raised_at, id)`.execute(tx);
      await sql`CREATE INDEX threat_alerts_unaudited ON threat_alerts (raised_at) WHERE audit_index IS NULL`.execute(tx);
      await sql`CREATE INDEX threat_alerts_unhandled ON threat_alerts (raised_at) WHERE handled_at IS NULL`.execute(tx);
      // a rebuild asks for each key's last alert from replay_from on
      await sql`CREATE INDEX threat_alerts_last_index ON threat_alerts (last_index)`.execute(tx);
      await sql`CREATE TABLE threat_model_accuracy (
        model TEXT PRIMARY KEY,
        accuracy DOUBLE PRECISION NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE threat_siem_cursor (
        destination TEXT PRIMARY KEY,
        last_index ${bigint} NOT NULL
      )`.execute(tx);
      await sql`CREATE TABLE threat_playbooks (
        name TEXT PRIMARY KEY,
        triggers TEXT NOT NULL,
        actions TEXT NOT NULL,
        escalation_ms ${bigint},
        block_for_ms ${bigint} NOT NULL,
        saved_at TEXT NOT NULL,
        saved_by TEXT
      )`.execute(tx);
      await sql`CREATE TABLE threat_incidents (
        id TEXT PRIMARY KEY,
        playbook TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        alert_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
        opened_at TEXT NOT NULL,
        escalate_at TEXT,
        escalated_at TEXT,
        actions TEXT NOT NULL,
        actions_pending INTEGER NOT NULL,
        actions_lease_until TEXT,
        status_changed_at TEXT,
        status_changed_by TEXT,
        UNIQUE (playbook, alert_id)
      )`.execute(tx);
      await sql`CREATE INDEX threat_incidents_opened ON threat_incidents (opened_at, id)`.execute(tx);
      await sql`CREATE INDEX threat_incidents_due ON threat_incidents (escalate_at) WHERE status = 'open' AND escalated_at IS NULL`.execute(tx);
      await sql`CREATE TABLE threat_blocked_addresses (
        address TEXT PRIMARY KEY,
        blocked_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        incident_id TEXT
      )`.execute(tx);
    },
  },
];
export const SIEM_CURSOR_TABLE = 'threat_siem_cursor';
export const PLAYBOOKS_TABLE = 'threat_playbooks';
export const INCIDENTS_TABLE = 'threat_incidents';
export const BLOCKED_ADDRESSES_TABLE = 'threat_blocked_addresses';

/** An alert as stored and shown. */
export interface Alert {
  id: string;
  rule: AlertRule;
  key: string;
  value: number;
  threshold: number;
  /** The audit entries that raised it: leaf indexes, and their event times. */
  firstIndex: number;
  lastIndex: number;
  firstAt: string;
  lastAt: string;
  detail: Record<string, number>;
  raisedAt: string;
  status: AlertStatus;
  statusChangedAt: string | null;
  statusChangedBy: string | null;
  /** The `threat.alert` audit entry; null until it is written. */
  auditIndex: number | null;
}

export function toAlert(row: Record<string, any>): Alert {
  return {
    id: row.id,
    rule: row.rule,
    key: row.alert_key,
    value: Number(row.value),
    threshold: Number(row.threshold),
    firstIndex: Number(row.first_index),
    lastIndex: Number(row.last_index),
    firstAt: row.first_at,
    lastAt: row.last_at,
    detail: JSON.parse(row.detail) as Record<string, number>,
    raisedAt: row.raised_at,
    status: row.status,
    statusChangedAt: row.status_changed_at ?? null,
    statusChangedBy: row.status_changed_by ?? null,
    auditIndex: row.audit_index === null || row.audit_index === undefined ? null : Number(row.audit_index),
  };
}

export function toAlertRow(alert: Alert): Record<string, unknown> {
  return {
    id: alert.id,
    rule: alert.rule,
    alert_key: alert.key,
    value: alert.value,
    threshold: alert.threshold,
    first_index: alert.firstIndex,
    last_index: alert.lastIndex,
    first_at: alert.firstAt,
    last_at: alert.lastAt,
    detail: JSON.stringify(alert.detail),
    raised_at: alert.raisedAt,
    status: alert.status,
    status_changed_at: alert.statusChangedAt,
    status_changed_by: alert.statusChangedBy,
    audit_index: alert.auditIndex,
  };
}
