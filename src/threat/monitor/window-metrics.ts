import type { AuditStreamEntry } from '../../core/audit-stream.js';
import { isFailure, requester, type MonitoredComponent } from './watched-events.js';

/** The seed's `metrics`: what the monitor measures over its window and reports on request. */
export const MONITOR_METRICS = ['request_patterns', 'resource_usage', 'error_rates'] as const;
export type MonitorMetric = (typeof MONITOR_METRICS)[number];

export interface ErrorRate {
  events: number;
  failures: number;
  /** failures / events; 0 without events. */
  rate: number;
}

export interface RequestPatterns {
  requests: number;
  /** Distinct callers (users, API keys, services; an address for an unauthenticated one). */
  callers: number;
  /** The busiest callers, most requests first. */
  top: Array<{ caller: string; requests: number }>;
}

const BUCKETS = 60;
const TOP_CALLERS = 10;

interface Bucket {
  readonly id: number;
  readonly events: Map<MonitoredComponent, { events: number; failures: number }>;
  readonly requests: Map<string, number>;
}

/**
 * Error rates per component and requests per caller over the last window of event time, in
 * BUCKETS time slices (a slice's events leave together, so the window is exact to 1/60 of its
 * length), kept in a ring: memory is bounded by the callers active within one window.
 */
export class WindowMetrics {
  readonly #bucketMs: number;
  readonly #ring: Array<Bucket | undefined> = new Array(BUCKETS);

  constructor(readonly windowMs: number) {
    this.#bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
  }

  add(entry: AuditStreamEntry, component: MonitoredComponent, atMs: number): void {
    const bucket = this.#bucketAt(atMs);
    const counts = bucket.events.get(component) ?? { events: 0, failures: 0 };
    counts.events++;
    if (isFailure(entry)) counts.failures++;
    bucket.events.set(component, counts);
    const caller = requester(entry);
    if (caller !== null) bucket.requests.set(caller, (bucket.requests.get(caller) ?? 0) + 1);
  }

  errorRates(nowMs: number, components: readonly MonitoredComponent[]): Record<string, ErrorRate> {
    const totals = Object.fromEntries(components.map((c) => [c, { events: 0, failures: 0, rate: 0 }])) as Record<string, ErrorRate>;
    for (const bucket of this.#live(nowMs)) {
      for (const [component, counts] of bucket.events) {
        const total = totals[component];
        if (!total) continue;
        total.events += counts.events;
        total.failures += counts.failures;
      }
    }
    for (const total of Object.values(totals)) total.rate = total.events === 0 ? 0 : total.failures / total.events;
    return totals;
  }

  requestPatterns(nowMs: number): RequestPatterns {
    const perCaller = new Map<string, number>();
    for (const bucket of this.#live(nowMs)) for (const [caller, n] of bucket.requests) perCaller.set(caller, (perCaller.get(caller) ?? 0) + n);
    const requests = [...perCaller.values()].reduce((a, b) => a + b, 0);
    const top = [...perCaller].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_CALLERS).map(([caller, n]) => ({ caller, requests: n }));
    return { requests, callers: perCaller.size, top };
  }

  /** The buckets inside the window ending at `nowMs`. */
  *#live(nowMs: number): Generator<Bucket> {
    const newest = Math.floor(nowMs / this.#bucketMs);
    for (const bucket of this.#ring) if (bucket !== undefined && bucket.id > newest - BUCKETS && bucket.id <= newest) yield bucket;
  }

  #bucketAt(atMs: number): Bucket {
    const id = Math.floor(atMs / this.#bucketMs);
    const slot = ((id % BUCKETS) + BUCKETS) % BUCKETS;
    let bucket = this.#ring[slot];
    if (bucket === undefined || bucket.id !== id) {
      // an older event than the slot holds belongs to a slice already gone: count it in a throwaway
      if (bucket !== undefined && bucket.id > id) return { id, events: new Map(), requests: new Map() };
      bucket = { id, events: new Map(), requests: new Map() };
      this.#ring[slot] = bucket;
    }
    return bucket;
  }
}
