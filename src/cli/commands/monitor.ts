import { Command, Option } from 'commander';
import type { SecurityManager } from '../../security-manager.js';
import { ALERT_RULES, type AlertThresholds } from '../../threat/monitor/alert-rules.js';
import { ALERT_STATUSES, type Alert } from '../../threat/schema.js';
import type { SecurityMonitor, StartMonitoringOptions } from '../../threat/monitor/security-monitor.js';
import { cliActor, openSecurity, output, withCommonOptions, withSecurity, type CommonOptions, type Run } from '../context.js';
import { realNumberOption, wholeNumberOption } from '../number-options.js';
import { startProgress } from '../progress.js';

/**
 * `langtrain monitor …`: the security monitor in the foreground (`run`; the server runs it when
 * `monitoring.enabled`), and its alerts. Thresholds default to the `monitoring` section of the
 * configuration; the flags override them.
 */
export function monitorCommand(run: Run): Command {
  const monitor = new Command('monitor').description('security monitoring: watch the audit log for attacks, list and handle alerts');
  const list = (value: string) => value.split(',').map((v) => v.trim()).filter((v) => v !== '');

  withCommonOptions(monitor.command('run'))
    .description('read the audit log as it grows, raise alerts and stream it to the SIEM of monitoring.siem in the configuration, until stopped (Ctrl-C); run one monitor per store')
    .option('--once', 'read what the log holds now, raise its alerts and exit')
    .option('--components <list>', 'comma-separated: api_endpoints, training_jobs, data_pipelines (default all)', list)
    .option('--metrics <list>', 'comma-separated: request_patterns, resource_usage, error_rates (default all)', list)
    .option('--failed-auth-attempts <n>', 'failed sign-ins from one address or against one account within the window (default from config: 5)', (v) => wholeNumberOption(v, '--failed-auth-attempts', 1))
    .option('--unusual-data-access <n>', 'data reads by one actor within the window (default from config: 10)', (v) => wholeNumberOption(v, '--unusual-data-access', 1))
    .option('--model-performance-drop <x>', "drop of a model's test accuracy from one training to the next (default from config: 0.1)", (v) => realNumberOption(v, '--model-performance-drop', { above: 0, to: 1 }))
    .option('--privilege-escalation <n>', 'grants of the admin role to one principal within the window (default from config: 1, every grant)', (v) => wholeNumberOption(v, '--privilege-escalation', 1))
    .option('--window <duration>', 'the sliding window, e.g. 5m (default from config)')
    .option('--poll-interval <duration>', 'how often the log is read, e.g. 1s (default from config)')
    .action((o) =>
      run(async () => {
        const security = await openSecurity(o);
        try {
          const watching = await security.monitor();
          const siem = security.config.monitoring.siem;
          if (siem) watching.configureSiemIntegration(siem);
          await watching.startMonitoring(runOptions(security, o), { background: false });
          if (o.once) await catchUp(security, watching, o);
          else await watch(security, watching, o);
        } finally {
          await security.close();
        }
      }, o.json),
    );

  withCommonOptions(monitor.command('alerts'))
    .description('list alerts, newest first')
    .addOption(new Option('--status <status>', 'only alerts in this state').choices([...ALERT_STATUSES]))
    .addOption(new Option('--rule <rule>', 'only alerts of this rule').choices([...ALERT_RULES]))
    .option('--limit <n>', 'at most this many (default 100, at most 1000)', (v) => wholeNumberOption(v, '--limit', 1, 1_000))
    .action((o) =>
      withSecurity(run, o, async (security) => {
        const alerts = await (await security.monitor()).alerts({ status: o.status, rule: o.rule, limit: o.limit });
        output(o, { alerts }, () => (alerts.length === 0 ? 'no alerts' : alerts.map(describeAlert).join('\n')));
      }),
    );

  for (const [verb, status] of [['ack', 'acknowledged'], ['resolve', 'resolved']] as const) {
    withCommonOptions(monitor.command(verb))
      .description(`mark an alert ${status} (recorded in the audit log with who did it)`)
      .argument('<alert-id>')
      .action((id: string, o) =>
        withSecurity(run, o, async (security) => {
          const alert = await (await security.monitor()).setAlertStatus(id, status, cliActor());
          output(o, alert, () => `${alert.id} is ${alert.status}`);
        }),
      );
  }
  return monitor;
}

interface RunFlags extends CommonOptions {
  once?: boolean;
  components?: string[];
  metrics?: string[];
  failedAuthAttempts?: number;
  unusualDataAccess?: number;
  modelPerformanceDrop?: number;
  privilegeEscalation?: number;
  window?: string;
  pollInterval?: string;
}

/** The configuration's thresholds with the flags over them. */
function runOptions(security: SecurityManager, o: RunFlags): StartMonitoringOptions {
  const config = security.config.monitoring;
  const thresholds: AlertThresholds = {};
  for (const rule of ['failedAuthAttempts', 'unusualDataAccess', 'modelPerformanceDrop', 'privilegeEscalation'] as const) {
    const value = o[rule] ?? config[rule];
    if (value !== null) thresholds[rule] = value;
  }
  return {
    ...(o.components ? { components: o.components } : {}),
    ...(o.metrics ? { metrics: o.metrics } : {}),
    alertThresholds: thresholds,
    window: o.window ?? config.window,
    pollInterval: o.pollInterval ?? config.pollInterval,
  };
}

/** `--once`: polls until the monitor has read the whole log, with progress over the entries. */
async function catchUp(security: SecurityManager, monitor: SecurityMonitor, o: RunFlags): Promise<void> {
  const size = await security.audit.size();
  const progress = startProgress('reading the audit log', size, o.json === true);
  const raised: Alert[] = [];
  while (monitor.snapshot().cursor < size - 1) {
    raised.push(...(await monitor.poll()));
    progress.update(monitor.snapshot().cursor + 1);
  }
  await monitor.poll(); // records any alert still waiting for its audit entry
  // a SIEM far behind takes a bounded share of each poll: go on until it has the whole log, or fails
  for (let siem = monitor.snapshot().siem; siem !== undefined && siem.lastError === null && siem.cursor < (await security.audit.size()) - 1; siem = monitor.snapshot().siem) await monitor.poll();
  progress.finish();
  const siemError = monitor.snapshot().siem?.lastError;
  if (siemError) process.stderr.write(`the SIEM did not take every entry (the next run sends the rest): ${siemError}\n`);
  const read = monitor.snapshot().cursor + 1;
  output(o, { entriesRead: read, alerts: raised }, () => [`read ${read} audit entries; ${raised.length} new alert(s)`, ...raised.map(describeAlert)].join('\n'));
}

/** Until SIGINT/SIGTERM: each new alert as a line (a JSON line with --json), failures on stderr with the backoff. */
async function watch(security: SecurityManager, monitor: SecurityMonitor, o: RunFlags): Promise<void> {
  let stopped = false;
  let sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  const stop = () => {
    stopped = true;
    if (sleeping === undefined) return;
    clearTimeout(sleeping.timer);
    sleeping.wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const interval = monitor.snapshot().pollIntervalMs;
  process.stderr.write(`monitoring ${security.store.displayUrl} from audit entry ${monitor.snapshot().cursor + 1}; Ctrl-C to stop\n`);
  let failures = 0;
  while (!stopped) {
    try {
      for (const alert of await monitor.poll()) process.stdout.write((o.json ? JSON.stringify(alert) : describeAlert(alert)) + '\n');
      failures = 0;
    } catch (err) {
      failures++;
      process.stderr.write(`could not read or record (attempt ${failures}; retrying): ${err instanceof Error ? err.message : String(err)}\n`);
    }
    const delay = failures === 0 ? interval : Math.min(60_000, interval * 2 ** failures);
    await new Promise<void>((resolve) => {
      sleeping = { timer: setTimeout(resolve, delay), wake: resolve };
    });
    sleeping = undefined;
  }
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
}

function describeAlert(a: Alert): string {
  const what = a.rule === 'model_performance_drop' ? `accuracy ${a.detail.previousAccuracy} -> ${a.detail.accuracy}` : `${a.value} events (threshold ${a.threshold}) ${a.firstAt} .. ${a.lastAt}`;
  return `${a.raisedAt}  ${a.id}  ${a.status.padEnd(12)}  ${a.rule}  ${a.key}  ${what}  (audit entries ${a.firstIndex}..${a.lastIndex})`;
}
