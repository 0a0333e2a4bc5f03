import { isPlatformEventType } from '../../core/audit-sink.js';
import type { AuditStreamEntry } from '../../core/audit-stream.js';
import { ThresholdWindow } from './threshold-window.js';
import { componentOf, dataReader, failedSignInKeys, modelAccuracy, privilegeGrantee, type MonitoredComponent } from './watched-events.js';

/** The seed's `alert_thresholds`, by their audit names. */
export const ALERT_RULES = ['failed_auth_attempts', 'unusual_data_access', 'model_performance_drop', 'privilege_escalation'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** The key of a replay's `counted` map: a rule's alert key. */
export function countedKey(rule: AlertRule, key: string): string {
  return `${rule}\u0000${key}`;
}

/** An alert before it is stored: what was seen, between which entries of the log. */
export interface AlertDraft {
  readonly rule: AlertRule;
  /** What it is about: `ip:…` or `user:…` (sign-ins), the actor (data reads), `model:…`. */
  readonly key: string;
  /** Events counted (thresholds), or the accuracy drop (model performance). */
  readonly value: number;
  readonly threshold: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly firstAt: string;
  readonly lastAt: string;
  /** Numbers that explain it (the accuracies compared), never a raw value from the event. */
  readonly detail: Readonly<Record<string, number>>;
}

export interface AlertThresholds {
  /** Failed sign-ins from one address, or against one account, within the window. */
  failedAuthAttempts?: number;
  /** Data reads by one actor within the window. */
  unusualDataAccess?: number;
  /** Drop of test accuracy (0–1, absolute) from a model's previous training to its next. */
  modelPerformanceDrop?: number;
  /** Grants of the all-permissions role to one principal within the window (1: every grant). */
  privilegeEscalation?: number;
}

/** The component each threshold watches: a threshold on a component not monitored is refused. */
export const RULE_COMPONENTS: Readonly<Record<keyof AlertThresholds, readonly MonitoredComponent[]>> = {
  failedAuthAttempts: ['api_endpoints'],
  unusualDataAccess: ['api_endpoints', 'data_pipelines'],
  modelPerformanceDrop: ['training_jobs'],
  privilegeEscalation: ['api_endpoints'],
};

/**
 * The alert rules of one monitor over the entries it reads, in log order. State is what the
 * windows hold, plus each model's last test accuracy, which outlives any window: it is loaded
 * from and saved to the store by the monitor (`modelAccuracies`, `changedModels`).
 */
export class AlertRules {
  readonly #components: ReadonlySet<MonitoredComponent>;
  readonly #signIns: ThresholdWindow | null;
  readonly #dataReads: ThresholdWindow | null;
  readonly #grants: ThresholdWindow | null;
  readonly #accuracyDrop: number | null;
  readonly #accuracies: Map<string, number>;
  readonly #changed = new Set<string>();

  constructor(components: readonly MonitoredComponent[], thresholds: AlertThresholds, windowMs: number, modelAccuracies: ReadonlyMap<string, number> = new Map()) {
    this.#components = new Set(components);
    this.#signIns = thresholds.failedAuthAttempts === undefined ? null : new ThresholdWindow(thresholds.failedAuthAttempts, windowMs);
    this.#dataReads = thresholds.unusualDataAccess === undefined ? null : new ThresholdWindow(thresholds.unusualDataAccess, windowMs);
    this.#grants = thresholds.privilegeEscalation === undefined ? null : new ThresholdWindow(thresholds.privilegeEscalation, windowMs);
    this.#accuracyDrop = thresholds.modelPerformanceDrop ?? null;
    this.#accuracies = new Map(modelAccuracies);
  }

  /**
   * The alerts `entry` raises. Replaying the log after a restart, `counted` gives per rule and
   * key (`countedKey`) the last entry a stored alert counted: entries up to it are not counted
   * again, as the alert reset the key there.
   */
  evaluate(entry: AuditStreamEntry, counted?: ReadonlyMap<string, number>): AlertDraft[] {
    if (entry.eventType === null || entry.timestamp === null) return []; // pruned
    const component = componentOf(entry.eventType);
    if (component === null || !this.#components.has(component)) return [];
    const atMs = Date.parse(entry.timestamp);
    if (Number.isNaN(atMs)) return [];
    // the platform's own entries carry the server's time: they move the windows' present on (an
    // application's may be dated anywhere, and would age real events out of the windows)
    if (isPlatformEventType(entry.eventType)) {
      this.#signIns?.observe(atMs);
      this.#dataReads?.observe(atMs);
      this.#grants?.observe(atMs);
    }
    const alerts: AlertDraft[] = [];
    if (this.#signIns !== null) {
      for (const key of failedSignInKeys(entry)) {
        if ((counted?.get(countedKey('failed_auth_attempts', key)) ?? -1) >= entry.index) continue;
        const crossing = this.#signIns.add(key, entry.index, atMs);
        if (crossing) alerts.push(fromCrossing('failed_auth_attempts', this.#signIns.threshold, crossing));
      }
    }
    const reader = this.#dataReads === null ? null : dataReader(entry);
    if (reader !== null && (counted?.get(countedKey('unusual_data_access', reader)) ?? -1) < entry.index) {
      const crossing = this.#dataReads!.add(reader, entry.index, atMs);
      if (crossing) alerts.push(fromCrossing('unusual_data_access', this.#dataReads!.threshold, crossing));
    }
    const grantee = this.#grants === null ? null : privilegeGrantee(entry);
    if (grantee !== null && (counted?.get(countedKey('privilege_escalation', grantee)) ?? -1) < entry.index) {
      const crossing = this.#grants!.add(grantee, entry.index, atMs);
      if (crossing) alerts.push(fromCrossing('privilege_escalation', this.#grants!.threshold, crossing));
    }
    const trained = modelAccuracy(entry);
    if (trained !== null) {
      const previous = this.#accuracies.get(trained.model);
      this.#accuracies.set(trained.model, trained.accuracy);
      this.#changed.add(trained.model);
      const drop = previous === undefined ? 0 : previous - trained.accuracy;
      // a small tolerance: 0.9 - 0.8 is 0.09999999999999998 in binary floating point
      if (this.#accuracyDrop !== null && drop >= this.#accuracyDrop - 1e-9) {
        alerts.push({
          rule: 'model_performance_drop',
          key: `model:${trained.model}`,
          value: round(drop),
          threshold: this.#accuracyDrop,
          firstIndex: entry.index,
          lastIndex: entry.index,
          firstAt: entry.timestamp,
          lastAt: entry.timestamp,
          detail: { previousAccuracy: previous!, accuracy: trained.accuracy },
        });
      }
    }
    return alerts;
  }

  /** The oldest entry a threshold's window still counts, or null. */
  oldestHeldIndex(): number | null {
    const held = [this.#signIns?.oldestIndex(), this.#dataReads?.oldestIndex(), this.#grants?.oldestIndex()].filter((i): i is number => i !== null && i !== undefined);
    return held.length === 0 ? null : Math.min(...held);
  }

  /** Models whose accuracy changed since the last call, with it: what the monitor saves. */
  takeChangedModels(): Array<{ model: string; accuracy: number }> {
    const changed = [...this.#changed].map((model) => ({ model, accuracy: this.#accuracies.get(model)! }));
    this.#changed.clear();
    return changed;
  }
}

function fromCrossing(rule: AlertRule, threshold: number, c: { key: string; count: number; firstIndex: number; lastIndex: number; firstAtMs: number; lastAtMs: number }): AlertDraft {
  return {
    rule,
    key: c.key,
    value: c.count,
    threshold,
    firstIndex: c.firstIndex,
    lastIndex: c.lastIndex,
    firstAt: new Date(c.firstAtMs).toISOString(),
    lastAt: new Date(c.lastAtMs).toISOString(),
    detail: {},
  };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
