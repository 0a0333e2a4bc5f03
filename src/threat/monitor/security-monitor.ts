import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { AuditSink } from '../../core/audit-sink.js';
import type { AuditStream, AuditStreamEntry } from '../../core/audit-stream.js';
import { invalidInput, LangtrainError } from '../../core/errors.js';
import type { Store, WriteTx } from '../../store/database.js';
import { AlertRules, ALERT_RULES, countedKey, type AlertDraft, type AlertRule } from './alert-rules.js';
import { parseMonitorOptions, type MonitorSettings, type StartMonitoringOptions } from './monitor-options.js';
import { ALERTS_TABLE, ALERT_STATUSES, CURSOR_NAME, CURSOR_TABLE, MODEL_ACCURACY_TABLE, toAlert, toAlertRow, type Alert, type AlertStatus } from '../schema.js';
import { PACKAGE_VERSION } from '../../core/package-version.js';
import { parseSiemOptions, type SiemIntegrationOptions } from '../siem/siem-options.js';
import { SiemForwarder, type SiemStatus } from '../siem/siem-forwarder.js';
import type { IncidentResponse } from '../incidents/incident-response.js';
import { componentOf } from './watched-events.js';
import { WindowMetrics, type ErrorRate, type RequestPatterns } from './window-metrics.js';

export type { Alert, AlertStatus } from '../schema.js';
export type { StartMonitoringOptions } from './monitor-options.js';
export type { SiemIntegrationOptions } from '../siem/siem-options.js';
export type { SiemStatus } from '../siem/siem-forwarder.js';

export interface SecurityMonitorDeps {
  /** Migrated with `threatMigrations` (domain `threat`). */
  store: Store;
  /** Where alerts are recorded (`threat.alert`). */
  audit: AuditSink;
  /** The log the monitor reads. */
  stream: AuditStream;
  /** Opens incidents for the alerts raised (their playbooks), after each poll. */
  incidents?: IncidentResponse | null;
  /** Default: the system clock. */
  clock?: () => Date;
}

export interface MonitorSnapshot {
  running: boolean;
  /** The last audit entry read; -1 before the first. */
  cursor: number;
  windowMs: number;
  pollIntervalMs: number;
  lastPollAt: string | null;
  /** Why the last poll failed (the loop goes on, backing off), or null. */
  lastError: string | null;
  errorRates?: Record<string, ErrorRate>;
  requestPatterns?: RequestPatterns;
  resourceUsage?: ResourceUsage;
  /** The SIEM the log streams to (configureSiemIntegration), and how far it has got. */
  siem?: SiemStatus;
}

/** This process's resources: the monitor runs inside the server (or `langtrain monitor run`). */
export interface ResourceUsage {
  rssBytes: number;
  heapUsedBytes: number;
  /** CPU time used per wall-clock time since the previous snapshot (1 = one core busy). */
  cpuCores: number;
  /** The event loop's delay, 99th percentile since the previous snapshot: how late callbacks run. */
  eventLoopDelayP99Ms: number;
}

export interface AlertQuery {
  status?: AlertStatus;
  rule?: AlertRule;
  /** Default 100, at most 1,000; newest first. */
  limit?: number;
}

/** Entries read per poll: a page of the log, so a monitor catching up reads in steps. */
const PAGE = 1_000;
const MAX_ALERTS_LISTED = 1_000;
/** How far ahead of this clock an event may be dated and still count in the metrics. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** How long a monitor holds an alert while it writes the alert's audit entry. */
const AUDIT_CLAIM_MS = 60_000;
/** Polls back off to this after failures (the store or log unreachable). */
const MAX_BACKOFF_MS = 60_000;

/**
 * The seed's `SecurityMonitor`: reads the audit log as it grows (every domain records what it
 * does there), raises alerts when thresholds are crossed, and measures error rates, request
 * patterns and its process's resources over a sliding window.
 *
 * Alerts are raised exactly once per crossing: the entries read and the alerts they raised are
 * committed together with the monitor's cursor (schema.ts), and after a restart the windows are
 * rebuilt by reading the log again from the oldest entry they held (#rebuild). Each alert is recorded in the audit log
 * as a `threat.alert` entry (retried until it is), which is what SIEM export and incident
 * playbooks read.
 */
export class SecurityMonitor {
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #stream: AuditStream;
  readonly #clock: () => Date;
  readonly #incidents: IncidentResponse | null;
  #settings: MonitorSettings | null = null;
  #rules: AlertRules | null = null;
  #metrics: WindowMetrics | null = null;
  #cursor = -1;
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<unknown> | null = null;
  #failures = 0;
  #lastPollAt: string | null = null;
  #lastError: string | null = null;
  #loopDelay: IntervalHistogram | null = null;
  #cpuMark = { usage: process.cpuUsage(), atMs: performance.now() };
  #siem: SiemForwarder | null = null;

  constructor(deps: SecurityMonitorDeps) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#stream = deps.stream;
    this.#clock = deps.clock ?? (() => new Date());
    this.#incidents = deps.incidents ?? null;
  }

  /**
   * The seed's `configure_siem_integration`: streams the audit log (alerts included) to a SIEM
   * at each poll, at least once, from the log's current end (or its start, with `backfill`).
   * What the log sealed for erasure is not sent (siem-record.ts). Replaces any earlier
   * integration; throws for an option it does not support, naming it.
   */
  configureSiemIntegration(options: SiemIntegrationOptions): SiemStatus {
    const settings = parseSiemOptions(options, PACKAGE_VERSION);
    this.#siem = new SiemForwarder(this.#store, this.#stream, settings, this.#clock);
    return this.#siem.status();
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  /**
   * Checks the options, rebuilds the windows from the log, and reads the log every
   * `pollInterval` from then on (`poll`). Throws for an option it does not support, naming it.
   * `{ background: false }` starts without the timer: the caller calls `poll` (the CLI's `--once`, tests).
   */
  async startMonitoring(options: StartMonitoringOptions = {}, { background = true }: { background?: boolean } = {}): Promise<void> {
    const settings = parseMonitorOptions(options);
    if (this.running) throw new LangtrainError('ERR_CONFLICT', 'the monitor is already running: stopMonitoring first to change its options');
    this.#settings = settings;
    await this.#rebuild();
    if (settings.metrics.includes('resource_usage')) {
      this.#loopDelay = monitorEventLoopDelay({ resolution: 20 });
      this.#loopDelay.enable();
    }
    if (background) this.#schedule(0);
  }

  /** Stops reading; a poll under way finishes first. Alerts and the cursor stay in the store. */
  async stopMonitoring(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#loopDelay?.disable();
    this.#loopDelay = null;
    await this.#polling;
  }

  /**
   * Reads the entries written since the last poll (a page of at most 1,000), raises their
   * alerts, and records any alert not yet in the audit log. The alerts raised by this poll.
   */
  async poll(): Promise<Alert[]> {
    const settings = this.#settings;
    if (settings === null) throw new LangtrainError('ERR_CONFLICT', 'startMonitoring first: the monitor has no options yet');
    // one poll at a time: a second one started meanwhile waits for it, then reads on from its cursor
    const run = (this.#polling ?? Promise.resolve()).then(() => this.#pollOnce(settings));
    this.#polling = run.catch(() => undefined);
    return run;
  }

  async #pollOnce(settings: MonitorSettings): Promise<Alert[]> {
    const entries = await this.#stream.query({ afterIndex: this.#cursor, limit: PAGE });
    let raised: Alert[] = [];
    if (entries.length > 0) {
      const drafts = this.#feed(entries, settings);
      const raisedAt = this.#clock().toISOString();
      raised = drafts.map((draft): Alert => ({ ...draft, detail: { ...draft.detail }, id: randomUUID(), raisedAt, status: 'open', statusChangedAt: null, statusChangedBy: null, auditIndex: null }));
      const last = entries[entries.length - 1]!;
      // where a restart reads the log again from: the oldest entry the windows still count
      const replayFrom = this.#rules!.oldestHeldIndex() ?? last.index + 1;
      let moved: boolean;
      try {
        moved = await this.#store.writeTransaction('threat-monitor', async (tx) => {
          if ((await readCursor(tx)).lastIndex !== this.#cursor) return false;
          for (const alert of raised) await tx.insertInto(ALERTS_TABLE).values(toAlertRow(alert)).execute();
          for (const { model, accuracy } of this.#rules!.takeChangedModels()) {
            await tx.insertInto(MODEL_ACCURACY_TABLE).values({ model, accuracy }).onConflict((oc) => oc.column('model').doUpdateSet({ accuracy })).execute();
          }
          await tx
            .insertInto(CURSOR_TABLE)
            .values({ name: CURSOR_NAME, last_index: last.index, replay_from: replayFrom })
            .onConflict((oc) => oc.column('name').doUpdateSet({ last_index: last.index, replay_from: replayFrom }))
            .execute();
          return true;
        });
      } catch (err) {
        // the windows counted entries the store did not take: count them again from the store's state
        await this.#rebuild().catch(() => undefined);
        throw err;
      }
      if (!moved) {
        // another monitor on this store read them first, and raised their alerts
        await this.#rebuild();
        return [];
      }
      this.#cursor = last.index;
    }
    await this.#recordPendingAlerts();
    await this.#siem?.forward(); // never throws: a SIEM that is down must not stop the alerts
    await this.#incidents?.respond(); // alerts not handled stay so, and are taken at the next poll if this fails
    return raised;
  }

  /**
   * Feeds entries to the metrics and rules; the alerts they raise. Replaying, `counted` holds
   * per rule and key the last entry an alert already counted, which is not counted again.
   */
  #feed(entries: readonly AuditStreamEntry[], settings: MonitorSettings, counted?: ReadonlyMap<string, number>): AlertDraft[] {
    const drafts: AlertDraft[] = [];
    // an event dated ahead of this clock (a writer may choose the time) would take a slot of the metrics' ring from the present
    const aheadMs = this.#clock().getTime() + MAX_CLOCK_SKEW_MS;
    for (const entry of entries) {
      if (entry.eventType === null || entry.timestamp === null) continue;
      const component = componentOf(entry.eventType);
      if (component === null || !settings.components.includes(component)) continue;
      const atMs = Date.parse(entry.timestamp);
      if (!Number.isNaN(atMs) && atMs <= aheadMs) this.#metrics!.add(entry, component, atMs);
      drafts.push(...this.#rules!.evaluate(entry, counted));
    }
    return drafts;
  }

  /**
   * The windows as they stood at the cursor: the stored cursor and model accuracies, then the
   * entries from the oldest the windows held (stored with the cursor) up to the cursor read
   * again, each key's entries up to its last stored alert left out, as they were when that
   * alert reset it. By index, not by event time, which a writer may choose.
   */
  async #rebuild(): Promise<void> {
    const settings = this.#settings!;
    const cursor = await readCursor(this.#store.db);
    // stored with the cursor in one transaction, so read after it they are at least as new
    const accuracies = new Map((await this.#store.db.selectFrom(MODEL_ACCURACY_TABLE).select(['model', 'accuracy']).execute()).map((r) => [r.model as string, Number(r.accuracy)]));
    this.#rules = new AlertRules(settings.components, settings.alertThresholds, settings.windowMs, accuracies);
    this.#metrics = new WindowMetrics(settings.windowMs);
    this.#cursor = cursor.lastIndex;
    if (cursor.replayFrom > cursor.lastIndex) return;
    const counted = new Map(
      (
        await this.#store.db
          .selectFrom(ALERTS_TABLE)
          .select(['rule', 'alert_key', (eb) => eb.fn.max('last_index').as('last')])
          .where('last_index', '>=', cursor.replayFrom)
          .groupBy(['rule', 'alert_key'])
          .execute()
      ).map((r) => [countedKey(r.rule as AlertRule, r.alert_key as string), Number(r.last)]),
    );
    for (let after = cursor.replayFrom - 1; after < cursor.lastIndex; ) {
      const page = (await this.#stream.query({ afterIndex: after, limit: PAGE })).filter((e) => e.index <= cursor.lastIndex);
      if (page.length === 0) break;
      this.#feed(page, settings, counted);
      after = page[page.length - 1]!.index;
    }
    this.#rules.takeChangedModels(); // replayed, and stored already
  }

  /**
   * Records, as `threat.alert` entries, the alerts stored without one (a crash or the log
   * refusing between the two). Each is claimed for a minute first, so two monitors on one
   * store do not both write it; a claim a crash left is taken over when it lapses.
   */
  async #recordPendingAlerts(): Promise<void> {
    const now = this.#clock();
    const pending = await this.#store.db
      .selectFrom(ALERTS_TABLE)
      .selectAll()
      .where('audit_index', 'is', null)
      .where((eb) => eb.or([eb('audit_claimed_until', 'is', null), eb('audit_claimed_until', '<', now.toISOString())]))
      .orderBy('raised_at')
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const alert of pending.map(toAlert)) {
      // the clock read for each claim: writing a backlog takes time, and a claim must not be born lapsed
      const claimNow = this.#clock();
      const claimedUntil = new Date(claimNow.getTime() + AUDIT_CLAIM_MS).toISOString();
      const claimed = await this.#store.writeTransaction('threat-alerts', async (tx) => {
        const result = await tx
          .updateTable(ALERTS_TABLE)
          .set({ audit_claimed_until: claimedUntil })
          .where('id', '=', alert.id)
          .where('audit_index', 'is', null)
          .where((eb) => eb.or([eb('audit_claimed_until', 'is', null), eb('audit_claimed_until', '<', claimNow.toISOString())]))
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
      if (!claimed) continue;
      const receipt = await this.#audit
        .record({
          eventType: 'threat.alert',
          userId: null,
          result: 'raised',
          additionalData: { alertId: alert.id, rule: alert.rule, key: alert.key, value: alert.value, threshold: alert.threshold, firstIndex: alert.firstIndex, lastIndex: alert.lastIndex, ...alert.detail },
        })
        .catch(async (err: unknown) => {
          // not written: let the next poll, of any monitor, try again at once
          await this.#store.db.updateTable(ALERTS_TABLE).set({ audit_claimed_until: null }).where('id', '=', alert.id).execute().catch(() => undefined);
          throw err;
        });
      // a log at a level that drops the event gives no index: -1 marks it handled
      await this.#store.db.updateTable(ALERTS_TABLE).set({ audit_index: receipt.index ?? -1 }).where('id', '=', alert.id).execute();
    }
  }

  /** Alerts, newest first. */
  async alerts(query: AlertQuery = {}): Promise<Alert[]> {
    const { status, rule, limit = 100 } = query;
    if (status !== undefined && !ALERT_STATUSES.includes(status)) throw invalidInput(`status must be one of ${ALERT_STATUSES.join(', ')}`);
    if (rule !== undefined && !ALERT_RULES.includes(rule)) throw invalidInput(`rule must be one of ${ALERT_RULES.join(', ')}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ALERTS_LISTED) throw invalidInput(`limit must be a whole number from 1 to ${MAX_ALERTS_LISTED}`);
    let select = this.#store.db.selectFrom(ALERTS_TABLE).selectAll();
    if (status !== undefined) select = select.where('status', '=', status);
    if (rule !== undefined) select = select.where('rule', '=', rule);
    const rows = await select.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toAlert);
  }

  /**
   * Moves an alert on: `open` → `acknowledged` → `resolved` (or straight to resolved), recorded
   * in the audit log with who did it. A resolved alert stays resolved.
   */
  async setAlertStatus(id: string, status: Exclude<AlertStatus, 'open'>, actor: string): Promise<Alert> {
    if (status !== 'acknowledged' && status !== 'resolved') throw invalidInput('status must be acknowledged or resolved');
    if (typeof actor !== 'string' || actor === '') throw invalidInput('actor: who changes the alert is required');
    const at = this.#clock().toISOString();
    const changed = await this.#store.writeTransaction('threat-alerts', async (tx) => {
      const row = await tx.selectFrom(ALERTS_TABLE).selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) throw new LangtrainError('ERR_NOT_FOUND', `no alert ${id}`);
      const alert = toAlert(row);
      if (alert.status === 'resolved' || alert.status === status) throw new LangtrainError('ERR_CONFLICT', `alert ${id} is already ${alert.status}`);
      await tx.updateTable(ALERTS_TABLE).set({ status, status_changed_at: at, status_changed_by: actor }).where('id', '=', id).execute();
      return { ...alert, status, statusChangedAt: at, statusChangedBy: actor };
    });
    await this.#audit.record({ eventType: `threat.alert_${status}`, userId: actor, result: 'success', additionalData: { alertId: id, rule: changed.rule } });
    return changed;
  }

  /** What the monitor measures now, over its window (the seed's `metrics`), and how it is doing. */
  snapshot(): MonitorSnapshot {
    const settings = this.#settings;
    const base: MonitorSnapshot = { running: this.running, cursor: this.#cursor, windowMs: settings?.windowMs ?? 0, pollIntervalMs: settings?.pollIntervalMs ?? 0, lastPollAt: this.#lastPollAt, lastError: this.#lastError };
    if (this.#siem !== null) base.siem = this.#siem.status();
    if (settings === null || this.#metrics === null) return base;
    const nowMs = this.#clock().getTime();
    if (settings.metrics.includes('error_rates')) base.errorRates = this.#metrics.errorRates(nowMs, settings.components);
    if (settings.metrics.includes('request_patterns')) base.requestPatterns = this.#metrics.requestPatterns(nowMs);
    if (settings.metrics.includes('resource_usage')) base.resourceUsage = this.#resourceUsage();
    return base;
  }

  #resourceUsage(): ResourceUsage {
    const memory = process.memoryUsage();
    const usage = process.cpuUsage(this.#cpuMark.usage);
    const nowMs = performance.now();
    const cpuCores = (usage.user + usage.system) / 1000 / Math.max(1, nowMs - this.#cpuMark.atMs);
    this.#cpuMark = { usage: process.cpuUsage(), atMs: nowMs };
    const p99 = this.#loopDelay === null ? 0 : this.#loopDelay.percentile(99) / 1e6;
    this.#loopDelay?.reset();
    return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, cpuCores: Math.round(cpuCores * 1000) / 1000, eventLoopDelayP99Ms: Math.round(p99 * 1000) / 1000 };
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.poll().then(
        () => {
          this.#failures = 0;
          this.#lastError = null;
        },
        (err: unknown) => {
          this.#failures++;
          this.#lastError = err instanceof Error ? err.message : String(err);
        },
      ).finally(() => {
        this.#lastPollAt = this.#clock().toISOString();
        if (this.#timer === null) return; // stopped meanwhile
        const interval = this.#settings!.pollIntervalMs;
        this.#schedule(this.#failures === 0 ? interval : Math.min(MAX_BACKOFF_MS, interval * 2 ** this.#failures));
      });
    }, delayMs);
    this.#timer.unref();
  }
}

/** The stored cursor; before the first commit, -1 and nothing to replay. */
async function readCursor(tx: WriteTx | Store['db']): Promise<{ lastIndex: number; replayFrom: number }> {
  const row = await tx.selectFrom(CURSOR_TABLE).select(['last_index', 'replay_from']).where('name', '=', CURSOR_NAME).executeTakeFirst();
  return row === undefined ? { lastIndex: -1, replayFrom: 0 } : { lastIndex: Number(row.last_index), replayFrom: Number(row.replay_from) };
}
