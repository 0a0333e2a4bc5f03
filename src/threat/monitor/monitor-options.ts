import { z } from 'zod';
import { durationField, parseOptions } from '../../core/options.js';
import { LangtrainError } from '../../core/errors.js';
import { RULE_COMPONENTS, type AlertThresholds } from './alert-rules.js';
import { MONITORED_COMPONENTS, type MonitoredComponent } from './watched-events.js';
import { MONITOR_METRICS, type MonitorMetric } from './window-metrics.js';

/** The seed's `start_monitoring(components, metrics, alert_thresholds)`, camelCased, plus how often and over how long. */
export interface StartMonitoringOptions {
  /** Default: all three. */
  components?: Array<MonitoredComponent | (string & {})>;
  /** Default: all three. */
  metrics?: Array<MonitorMetric | (string & {})>;
  /** Alerts to raise; none given: the monitor only measures. */
  alertThresholds?: AlertThresholds;
  /** The sliding window thresholds and metrics count over, e.g. `5m` (default), or milliseconds. */
  window?: string | number;
  /** How often the audit log is read for new entries, e.g. `1s` (default). */
  pollInterval?: string | number;
}

export interface MonitorSettings {
  components: MonitoredComponent[];
  metrics: MonitorMetric[];
  alertThresholds: AlertThresholds;
  windowMs: number;
  pollIntervalMs: number;
}

const listOf = <T extends string>(values: readonly [T, ...T[]], what: string) =>
  z
    .array(z.enum(values, { error: (issue) => `${what} ${JSON.stringify(issue.input)} is not supported (supported: ${values.join(', ')})` }))
    .min(1, `${what}s: give at least one, or leave the option out for all`)
    .transform((list) => [...new Set(list)]);

const schema = z.strictObject({
  components: listOf(MONITORED_COMPONENTS as unknown as [MonitoredComponent, ...MonitoredComponent[]], 'component').default([...MONITORED_COMPONENTS]),
  metrics: listOf(MONITOR_METRICS as unknown as [MonitorMetric, ...MonitorMetric[]], 'metric').default([...MONITOR_METRICS]),
  alertThresholds: z
    .strictObject({
      failedAuthAttempts: z.number().int().min(1).max(1_000_000).optional(),
      unusualDataAccess: z.number().int().min(1).max(1_000_000).optional(),
      modelPerformanceDrop: z.number().gt(0).max(1).optional(),
      privilegeEscalation: z.number().int().min(1).max(1_000_000).optional(),
    })
    .default({}),
  window: durationField('window').default(5 * 60_000),
  pollInterval: durationField('pollInterval').default(1_000),
});

const MAX_WINDOW_MS = 7 * 24 * 3_600_000;

export function parseMonitorOptions(input: unknown): MonitorSettings {
  const parsed = parseOptions(schema, input, 'SecurityMonitor.startMonitoring');
  const refuse = (message: string) => {
    throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', `SecurityMonitor.startMonitoring: ${message}`);
  };
  if (parsed.window > MAX_WINDOW_MS) refuse('window: at most 7d (windows are counted in memory)');
  if (parsed.pollInterval < 100 || parsed.pollInterval > 3_600_000) refuse('pollInterval: between 100ms and 1h');
  for (const [rule, watched] of Object.entries(RULE_COMPONENTS) as Array<[keyof AlertThresholds, readonly MonitoredComponent[]]>) {
    if (parsed.alertThresholds[rule] === undefined || watched.some((c) => parsed.components.includes(c))) continue;
    refuse(`alertThresholds.${rule} watches ${watched.join(' or ')}, which components leaves out: add it, or drop the threshold`);
  }
  return { components: parsed.components, metrics: parsed.metrics, alertThresholds: parsed.alertThresholds, windowMs: parsed.window, pollIntervalMs: parsed.pollInterval };
}
