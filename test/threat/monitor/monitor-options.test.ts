import { describe, expect, it } from 'vitest';
import { parseMonitorOptions } from '../../../src/threat/monitor/monitor-options.js';
import { ThresholdWindow } from '../../../src/threat/monitor/threshold-window.js';

describe('SecurityMonitor.startMonitoring options', () => {
  it("takes the seed's example, camelCased, and defaults to everything", () => {
    const seed = parseMonitorOptions({
      components: ['api_endpoints', 'training_jobs', 'data_pipelines'],
      metrics: ['request_patterns', 'resource_usage', 'error_rates'],
      alertThresholds: { failedAuthAttempts: 5, unusualDataAccess: 10, modelPerformanceDrop: 0.1 },
    });
    expect(seed).toEqual({
      components: ['api_endpoints', 'training_jobs', 'data_pipelines'],
      metrics: ['request_patterns', 'resource_usage', 'error_rates'],
      alertThresholds: { failedAuthAttempts: 5, unusualDataAccess: 10, modelPerformanceDrop: 0.1 },
      windowMs: 300_000,
      pollIntervalMs: 1_000,
    });
    expect(parseMonitorOptions({ window: '1h', pollInterval: '5s' })).toMatchObject({ components: seed.components, metrics: seed.metrics, alertThresholds: {}, windowMs: 3_600_000, pollIntervalMs: 5_000 });
  });

  it('refuses what it does not support, naming the option and what is supported', () => {
    expect(() => parseMonitorOptions({ components: ['gpu_nodes'] })).toThrow(/component "gpu_nodes" is not supported \(supported: api_endpoints, training_jobs, data_pipelines\)/);
    expect(() => parseMonitorOptions({ metrics: ['latency'] })).toThrow(/metric "latency" is not supported \(supported: request_patterns, resource_usage, error_rates\)/);
    expect(() => parseMonitorOptions({ alertThresholds: { failed_auth_attempts: 5 } })).toThrow(/alertThresholds: unknown key failed_auth_attempts \(supported: failedAuthAttempts, unusualDataAccess, modelPerformanceDrop, privilegeEscalation\)/);
    expect(() => parseMonitorOptions({ alertThresholds: { modelPerformanceDrop: 10 } })).toThrow(/modelPerformanceDrop/);
    expect(() => parseMonitorOptions({ alertThresholds: { failedAuthAttempts: 0 } })).toThrow(/failedAuthAttempts/);
    expect(() => parseMonitorOptions({ components: ['training_jobs'], alertThresholds: { failedAuthAttempts: 5 } })).toThrow(/failedAuthAttempts watches api_endpoints, which components leaves out/);
    expect(() => parseMonitorOptions({ components: [] })).toThrow(/give at least one/);
    expect(() => parseMonitorOptions({ window: '30d' })).toThrow(/window: at most 7d/);
    expect(() => parseMonitorOptions({ pollInterval: '10ms' })).toThrow(/pollInterval/);
    expect(() => parseMonitorOptions({ siem: 'splunk' })).toThrow(/unknown option siem \(supported: components, metrics, alertThresholds, window, pollInterval\)/);
  });
});

describe('ThresholdWindow', () => {
  it('fires at the threshold within the window, then counts from zero', () => {
    const w = new ThresholdWindow(3, 1_000);
    expect(w.add('a', 0, 0)).toBeNull();
    expect(w.add('a', 1, 500)).toBeNull();
    expect(w.add('a', 2, 1_100)).toBeNull(); // the first has left the window
    expect(w.add('b', 3, 1_150)).toBeNull();
    expect(w.add('a', 4, 1_200)).toEqual({ key: 'a', count: 3, firstIndex: 1, lastIndex: 4, firstAtMs: 500, lastAtMs: 1_200 });
    expect(w.add('a', 5, 1_300)).toBeNull();
  });

  it('drops keys whose events have left the window, so memory follows the keys active in one window', () => {
    const w = new ThresholdWindow(5, 1_000);
    for (let i = 0; i < 10_000; i++) w.add(`ip:${i}`, i, i);
    expect(w.keys).toBeLessThanOrEqual(2_000);
    expect(w.keys).toBeGreaterThanOrEqual(1_000);
  });
});
