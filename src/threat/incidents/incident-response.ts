import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditSink } from '../../core/audit-sink.js';
import type { AuditEvidence } from '../../core/audit-stream.js';
import { writeAtomically } from '../../core/atomic-file.js';
import { invalidInput, LangtrainError } from '../../core/errors.js';
import type { Store } from '../../store/database.js';
import { ALERTS_TABLE, ALERT_STATUSES, INCIDENTS_TABLE, PLAYBOOKS_TABLE, toAlert, type Alert, type AlertStatus } from '../schema.js';
import { BlockedAddresses } from './blocked-addresses.js';
import { parsePlaybook, type Playbook, type PlaybookAction, type PlaybookInput } from './playbook.js';
import type { WebhookNotifier } from './webhook-notifier.js';

export type { Playbook, PlaybookInput } from './playbook.js';

/** A playbook as stored: it acts on alerts raised from `savedAt` on, never on older ones. */
export interface SavedPlaybook extends Playbook {
  savedAt: string;
}
export type { BlockedAddress } from './blocked-addresses.js';

export interface IncidentResponseDeps {
  /** Migrated with `threatMigrations` (domain `threat`), the monitor's store. */
  store: Store;
  audit: AuditSink;
  /** For `notify_security_team`; without it a playbook with that action is refused. */
  notifier?: WebhookNotifier | null;
  /** For `initiate_forensic_analysis`, with `forensicsDir`; without them that action is refused. */
  evidence?: AuditEvidence | null;
  forensicsDir?: string | null;
  clock?: () => Date;
}

export type IncidentStatus = AlertStatus;

/** What became of one action: `skipped` when it did not apply (no address to block in an alert about an account). */
export interface ActionOutcome {
  action: PlaybookAction;
  status: 'pending' | 'done' | 'failed' | 'skipped';
  detail: string | null;
  at: string | null;
}

export interface Incident {
  id: string;
  playbook: string;
  alertId: string;
  rule: string;
  key: string;
  status: IncidentStatus;
  openedAt: string;
  /** When it is escalated unless acknowledged first; null without an escalation time. */
  escalateAt: string | null;
  escalatedAt: string | null;
  actions: ActionOutcome[];
  statusChangedAt: string | null;
  statusChangedBy: string | null;
}

/** Alerts taken per call: a backlog is worked through over several polls. */
const PAGE = 100;
/** How long a process holds an incident's actions: longer than they take (each send times out in seconds); a crashed holder's lapse lets another process finish them. */
const ACTIONS_LEASE_MS = 5 * 60_000;

/**
 * The seed's `IncidentResponse`: playbooks that, when an alert of one of their triggers is
 * raised, open an incident and take their actions, each recorded with its outcome in the store
 * and the audit log, and escalate the incident when nobody acknowledged it in time.
 *
 * The monitor calls `respond()` after each poll. An alert's incidents are opened exactly once
 * (the alert is claimed and its incidents inserted in one transaction); their actions run
 * after that commit, and an action a crash left pending runs at the next call, so actions run
 * at least once. Two processes responding on one store share that work without opening an
 * incident twice; an action interrupted by a crash may run twice.
 */
export class IncidentResponse {
  readonly blocked: BlockedAddresses;
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #notifier: WebhookNotifier | null;
  readonly #evidence: AuditEvidence | null;
  readonly #forensicsDir: string | null;
  readonly #clock: () => Date;

  constructor(deps: IncidentResponseDeps) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#notifier = deps.notifier ?? null;
    this.#evidence = deps.evidence ?? null;
    this.#forensicsDir = deps.forensicsDir ?? null;
    this.#clock = deps.clock ?? (() => new Date());
    this.blocked = new BlockedAddresses(deps.store, this.#clock);
  }

  /**
   * The seed's `create_playbook(name, triggers, actions, escalation_time)`: saves it in the store
   * (replacing one of the same name) for every process responding on it. Refuses a trigger or an
   * action it cannot act on, naming what is supported.
   */
  async createPlaybook(input: PlaybookInput, actor?: string): Promise<SavedPlaybook> {
    const playbook = parsePlaybook(input);
    if (playbook.actions.includes('notify_security_team') && this.#notifier === null) {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'IncidentResponse.createPlaybook: notify_security_team needs a webhook to notify: set monitoring.notify.url in the configuration');
    }
    if (playbook.actions.includes('initiate_forensic_analysis') && (this.#evidence === null || this.#forensicsDir === null)) {
      throw new LangtrainError('ERR_CONFIG_INVALID', 'IncidentResponse.createPlaybook: initiate_forensic_analysis needs the audit log and a directory for the evidence (monitoring.forensicsDir)');
    }
    const savedAt = this.#clock().toISOString();
    const row = { triggers: JSON.stringify(playbook.triggers), actions: JSON.stringify(playbook.actions), escalation_ms: playbook.escalationMs, block_for_ms: playbook.blockForMs, saved_at: savedAt, saved_by: actor ?? null };
    await this.#store.writeTransaction('threat-playbooks', (tx) =>
      tx
        .insertInto(PLAYBOOKS_TABLE)
        .values({ name: playbook.name, ...row })
        .onConflict((oc) => oc.column('name').doUpdateSet(row))
        .execute(),
    );
    await this.#audit.record({ eventType: 'threat.playbook_saved', userId: actor ?? null, result: 'success', additionalData: { name: playbook.name, triggers: playbook.triggers, actions: playbook.actions, escalationMs: playbook.escalationMs } });
    return { ...playbook, savedAt };
  }

  async playbooks(): Promise<SavedPlaybook[]> {
    const rows = await this.#store.db.selectFrom(PLAYBOOKS_TABLE).selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, triggers: JSON.parse(r.triggers), actions: JSON.parse(r.actions), escalationMs: r.escalation_ms === null ? null : Number(r.escalation_ms), blockForMs: Number(r.block_for_ms), savedAt: r.saved_at }));
  }

  async deletePlaybook(name: string, actor?: string): Promise<void> {
    const result = await this.#store.writeTransaction('threat-playbooks', (tx) => tx.deleteFrom(PLAYBOOKS_TABLE).where('name', '=', name).executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new LangtrainError('ERR_NOT_FOUND', `no playbook ${name}`);
    await this.#audit.record({ eventType: 'threat.playbook_deleted', userId: actor ?? null, result: 'success', additionalData: { name } });
  }

  /**
   * Opens the incidents of alerts not handled yet, runs their actions (and any a crash left
   * pending), and escalates incidents past their escalation time. The incidents opened.
   */
  async respond(): Promise<Incident[]> {
    const opened: Incident[] = [];
    const playbooks = await this.playbooks();
    const pending = await this.#store.db.selectFrom(ALERTS_TABLE).selectAll().where('handled_at', 'is', null).orderBy('raised_at').orderBy('id').limit(PAGE).execute();
    for (const alert of pending.map(toAlert)) opened.push(...(await this.#open(alert, playbooks)));
    // incidents whose actions a process left unfinished (it crashed) and no process runs now
    const nowIso = this.#clock().toISOString();
    const unfinished = await this.#store.db
      .selectFrom(INCIDENTS_TABLE)
      .selectAll()
      .where('actions_pending', '=', 1)
      .where((eb) => eb.or([eb('actions_lease_until', 'is', null), eb('actions_lease_until', '<', nowIso)]))
      .orderBy('opened_at')
      .limit(PAGE)
      .execute();
    for (const incident of unfinished.map(toIncident)) {
      const lease = await this.#takeLease(incident.id, null);
      if (lease !== null) await this.#runActions(incident, playbooks.find((p) => p.name === incident.playbook), lease);
    }
    await this.#escalateDue();
    return opened;
  }

  /**
   * Takes, or renews, the incident's actions for ACTIONS_LEASE_MS from now: from a lapsed or
   * absent lease (`held` null), or from the lease this process holds (`held`). The new lease, or
   * null when another process has them. The clock is read here, for each lease, so a lease taken
   * late in a long run is not born lapsed.
   */
  async #takeLease(id: string, held: string | null): Promise<string | null> {
    const now = this.#clock();
    const until = new Date(now.getTime() + ACTIONS_LEASE_MS).toISOString();
    const taken = await this.#store.writeTransaction('threat-incidents', async (tx) => {
      const result = await tx
        .updateTable(INCIDENTS_TABLE)
        .set({ actions_lease_until: until })
        .where('id', '=', id)
        .where('actions_pending', '=', 1)
        .where((eb) => (held === null ? eb.or([eb('actions_lease_until', 'is', null), eb('actions_lease_until', '<', now.toISOString())]) : eb('actions_lease_until', '=', held)))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
    return taken ? until : null;
  }

  /**
   * Claims the alert and opens an incident per playbook it triggers (playbooks saved before it
   * was raised), their actions leased to this process, in one transaction.
   */
  async #open(alert: Alert, playbooks: readonly SavedPlaybook[]): Promise<Incident[]> {
    const now = this.#clock();
    const matching = playbooks.filter((p) => p.triggers.includes(alert.rule) && p.savedAt <= alert.raisedAt);
    const incidents: Incident[] = matching.map((p) => ({
      id: randomUUID(),
      playbook: p.name,
      alertId: alert.id,
      rule: alert.rule,
      key: alert.key,
      status: 'open',
      openedAt: now.toISOString(),
      escalateAt: p.escalationMs === null ? null : new Date(now.getTime() + p.escalationMs).toISOString(),
      escalatedAt: null,
      actions: p.actions.map((action) => ({ action, status: 'pending', detail: null, at: null })),
      statusChangedAt: null,
      statusChangedBy: null,
    }));
    const leaseUntil = new Date(now.getTime() + ACTIONS_LEASE_MS).toISOString();
    const claimed = await this.#store.writeTransaction('threat-incidents', async (tx) => {
      const result = await tx.updateTable(ALERTS_TABLE).set({ handled_at: now.toISOString() }).where('id', '=', alert.id).where('handled_at', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false; // another process took it
      for (const incident of incidents) await tx.insertInto(INCIDENTS_TABLE).values({ ...toIncidentRow(incident), actions_lease_until: leaseUntil }).execute();
      return true;
    });
    if (!claimed) return [];
    for (const incident of incidents) {
      await this.#audit.record({ eventType: 'threat.incident_opened', userId: null, result: 'success', additionalData: { incidentId: incident.id, playbook: incident.playbook, alertId: alert.id, rule: alert.rule, key: alert.key } });
      await this.#runActions(incident, matching.find((p) => p.name === incident.playbook), leaseUntil, alert);
    }
    return incidents;
  }

  /**
   * Runs the incident's pending actions in order, storing and auditing each outcome, under the
   * lease `held`: renewed before each action, and each outcome written only while it is still
   * this process's. A process whose lease lapsed (an action outlived it) and was taken over stops
   * there, leaving the rest, and its stale view, to the process that took it.
   */
  async #runActions(incident: Incident, playbook: SavedPlaybook | undefined, held: string, knownAlert?: Alert): Promise<void> {
    const alert = knownAlert ?? await this.#alert(incident.alertId);
    let lease = held;
    for (const outcome of incident.actions) {
      if (outcome.status !== 'pending') continue;
      const renewed = await this.#takeLease(incident.id, lease);
      if (renewed === null) return;
      lease = renewed;
      let result: { status: 'done' | 'failed' | 'skipped'; detail: string };
      try {
        result = playbook === undefined ? { status: 'skipped', detail: 'the playbook was deleted before this action ran' } : await this.#act(outcome.action, incident, alert, playbook);
      } catch (err) {
        result = { status: 'failed', detail: err instanceof Error ? err.message : String(err) };
      }
      Object.assign(outcome, result, { at: this.#clock().toISOString() });
      const pendingLeft = incident.actions.some((a) => a.status === 'pending') ? 1 : 0;
      const stillHeld = await this.#store.writeTransaction('threat-incidents', async (tx) => {
        const result = await tx
          .updateTable(INCIDENTS_TABLE)
          .set({ actions: JSON.stringify(incident.actions), actions_pending: pendingLeft, ...(pendingLeft === 0 ? { actions_lease_until: null } : {}) })
          .where('id', '=', incident.id)
          .where('actions_lease_until', '=', lease)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
      // the action ran: it is recorded either way; its outcome is stored only by the holder
      await this.#audit.record({ eventType: 'threat.incident_action', userId: null, result: result.status, additionalData: { incidentId: incident.id, action: outcome.action, detail: result.detail } });
      if (!stillHeld) return;
    }
  }

  async #act(action: PlaybookAction, incident: Incident, alert: Alert, playbook: Playbook): Promise<{ status: 'done' | 'skipped'; detail: string }> {
    switch (action) {
      case 'notify_security_team': {
        // a playbook saved by a process with a webhook, run by one without
        if (this.#notifier === null) throw new Error('no webhook is configured in the process that ran it (monitoring.notify)');
        return { status: 'done', detail: `notified ${await this.#notifier.send(notification('incident.opened', incident, alert))}` };
      }
      case 'block_source_ip': {
        if (!alert.key.startsWith('ip:')) return { status: 'skipped', detail: 'the alert names no address' };
        const block = await this.blocked.block(alert.key.slice(3), this.#clock().getTime() + playbook.blockForMs, incident.id);
        return { status: 'done', detail: `blocked ${block.address} until ${block.expiresAt}` };
      }
      case 'initiate_forensic_analysis': {
        // the log between the alert's first and last event, each entry with its inclusion proof
        await this.#evidence!.checkpoint();
        await mkdir(this.#forensicsDir!, { recursive: true, mode: 0o700 });
        const path = join(this.#forensicsDir!, `incident-${incident.id}.bundle.jsonl`);
        let entries = 0;
        await writeAtomically(path, async (out) => {
          entries = await this.#evidence!.exportBundle({
            filter: { from: alert.firstAt, to: new Date(Date.parse(alert.lastAt) + 1).toISOString() },
            write: async (line) => {
              if (!out.write(line)) await once(out, 'drain');
            },
          });
        });
        return { status: 'done', detail: `${entries} audit entries with proofs in ${path}` };
      }
    }
  }

  async #alert(id: string): Promise<Alert> {
    return toAlert(await this.#store.db.selectFrom(ALERTS_TABLE).selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  async #escalateDue(): Promise<void> {
    const now = this.#clock().toISOString();
    const due = await this.#store.db.selectFrom(INCIDENTS_TABLE).selectAll().where('status', '=', 'open').where('escalated_at', 'is', null).where('escalate_at', '<=', now).orderBy('escalate_at').limit(PAGE).execute();
    for (const incident of due.map(toIncident)) {
      const claimed = await this.#store.writeTransaction('threat-incidents', async (tx) => {
        const result = await tx.updateTable(INCIDENTS_TABLE).set({ escalated_at: now }).where('id', '=', incident.id).where('escalated_at', 'is', null).where('status', '=', 'open').executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
      if (!claimed) continue;
      let notified = 'no webhook configured';
      let result = 'success';
      if (this.#notifier !== null) {
        const alert = await this.#alert(incident.alertId);
        notified = await this.#notifier.send(notification('incident.escalated', { ...incident, escalatedAt: now }, alert)).then(
          (where) => `notified ${where}`,
          (err: unknown) => {
            result = 'failure';
            return `notification failed: ${err instanceof Error ? err.message : String(err)}`;
          },
        );
      }
      await this.#audit.record({ eventType: 'threat.incident_escalated', userId: null, result, additionalData: { incidentId: incident.id, playbook: incident.playbook, notified } });
    }
  }

  /** Lifts a playbook's block on `address` before it expires, recorded with who did it. */
  async unblockAddress(address: string, actor: string): Promise<void> {
    if (!(await this.blocked.unblock(address))) throw new LangtrainError('ERR_NOT_FOUND', `${address} is not blocked`);
    await this.#audit.record({ eventType: 'threat.address_unblocked', userId: actor, result: 'success', additionalData: { address } });
  }

  /** Incidents, newest first. */
  async incidents(query: { status?: IncidentStatus; limit?: number } = {}): Promise<Incident[]> {
    const { status, limit = 100 } = query;
    if (status !== undefined && !ALERT_STATUSES.includes(status)) throw invalidInput(`status must be one of ${ALERT_STATUSES.join(', ')}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) throw invalidInput('limit must be a whole number from 1 to 1000');
    let select = this.#store.db.selectFrom(INCIDENTS_TABLE).selectAll();
    if (status !== undefined) select = select.where('status', '=', status);
    return (await select.orderBy('opened_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toIncident);
  }

  /** `open` → `acknowledged` (stops its escalation) → `resolved`, recorded with who did it. */
  async setIncidentStatus(id: string, status: Exclude<IncidentStatus, 'open'>, actor: string): Promise<Incident> {
    if (status !== 'acknowledged' && status !== 'resolved') throw invalidInput('status must be acknowledged or resolved');
    if (typeof actor !== 'string' || actor === '') throw invalidInput('actor: who changes the incident is required');
    const at = this.#clock().toISOString();
    const changed = await this.#store.writeTransaction('threat-incidents', async (tx) => {
      const row = await tx.selectFrom(INCIDENTS_TABLE).selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) throw new LangtrainError('ERR_NOT_FOUND', `no incident ${id}`);
      const incident = toIncident(row);
      if (incident.status === 'resolved' || incident.status === status) throw new LangtrainError('ERR_CONFLICT', `incident ${id} is already ${incident.status}`);
      await tx.updateTable(INCIDENTS_TABLE).set({ status, status_changed_at: at, status_changed_by: actor }).where('id', '=', id).execute();
      return { ...incident, status, statusChangedAt: at, statusChangedBy: actor };
    });
    await this.#audit.record({ eventType: `threat.incident_${status}`, userId: actor, result: 'success', additionalData: { incidentId: id, playbook: changed.playbook } });
    return changed;
  }
}

function notification(type: 'incident.opened' | 'incident.escalated', incident: Incident, alert: Alert): Record<string, unknown> {
  const verb = type === 'incident.opened' ? 'opened' : 'ESCALATED (not acknowledged in time)';
  return {
    type,
    text: `LangTrain Security incident ${incident.id} ${verb}: playbook ${incident.playbook}, alert ${alert.rule} on ${alert.key} (${alert.value} against threshold ${alert.threshold})`,
    incident: { id: incident.id, playbook: incident.playbook, status: incident.status, openedAt: incident.openedAt, escalateAt: incident.escalateAt, escalatedAt: incident.escalatedAt },
    alert: { id: alert.id, rule: alert.rule, key: alert.key, value: alert.value, threshold: alert.threshold, firstAt: alert.firstAt, lastAt: alert.lastAt, firstIndex: alert.firstIndex, lastIndex: alert.lastIndex },
  };
}

function toIncident(row: Record<string, any>): Incident {
  return {
    id: row.id,
    playbook: row.playbook,
    alertId: row.alert_id,
    rule: row.rule,
    key: row.alert_key,
    status: row.status,
    openedAt: row.opened_at,
    escalateAt: row.escalate_at ?? null,
    escalatedAt: row.escalated_at ?? null,
    actions: JSON.parse(row.actions) as ActionOutcome[],
    statusChangedAt: row.status_changed_at ?? null,
    statusChangedBy: row.status_changed_by ?? null,
  };
}

function toIncidentRow(incident: Incident): Record<string, unknown> {
  return {
    id: incident.id,
    playbook: incident.playbook,
    alert_id: incident.alertId,
    rule: incident.rule,
    alert_key: incident.key,
    status: incident.status,
    opened_at: incident.openedAt,
    escalate_at: incident.escalateAt,
    escalated_at: incident.escalatedAt,
    actions: JSON.stringify(incident.actions),
    actions_pending: incident.actions.some((a) => a.status === 'pending') ? 1 : 0,
    status_changed_at: incident.statusChangedAt,
    status_changed_by: incident.statusChangedBy,
  };
}
