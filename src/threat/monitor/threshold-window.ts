/** What crossed a threshold: the events of one key inside the window that reached it. */
export interface Crossing {
  readonly key: string;
  readonly count: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly firstAtMs: number;
  readonly lastAtMs: number;
}

/**
 * Counts events per key over a sliding window of event time and reports a key when `threshold`
 * of its events fall within `windowMs` of each other; the key then starts again from zero, so
 * one burst raises one alert, not one per event after the threshold (OSSEC/Wazuh frequency
 * rules work the same way). Each key holds at most `threshold` times, and keys whose newest
 * event left the window are dropped as time moves on, so memory stays bounded by the number
 * of keys active within one window.
 */
export class ThresholdWindow {
  readonly #events = new Map<string, Array<{ index: number; atMs: number }>>();
  #latestMs = Number.NEGATIVE_INFINITY;
  #sweptAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly threshold: number,
    readonly windowMs: number,
  ) {}

  /** Moves the window's present to `atMs` without an event of its own (time passing between its events). */
  observe(atMs: number): void {
    this.#latestMs = Math.max(this.#latestMs, atMs);
  }

  /** Adds one event of `key`; the crossing when it makes `threshold` within the window. */
  add(key: string, index: number, atMs: number): Crossing | null {
    this.#latestMs = Math.max(this.#latestMs, atMs);
    this.#sweep();
    let events = this.#events.get(key);
    if (events === undefined) {
      events = [];
      this.#events.set(key, events);
    }
    events.push({ index, atMs });
    // entries come in log order, and their event times nearly so: keep only those within the window of this one
    const kept = events.filter((e) => atMs - e.atMs < this.windowMs && e.atMs - atMs < this.windowMs);
    if (kept.length < this.threshold) {
      this.#events.set(key, kept);
      return null;
    }
    this.#events.delete(key);
    const times = kept.map((e) => e.atMs);
    return { key, count: kept.length, firstIndex: kept[0]!.index, lastIndex: index, firstAtMs: Math.min(...times), lastAtMs: Math.max(...times) };
  }

  /**
   * The oldest entry a key can still count, or null: where a restart reads the log again from.
   * Keys whose newest event is a window behind the newest seen can count nothing more (the sweep
   * drops them at the next event), so they do not hold the restart back.
   */
  oldestIndex(): number | null {
    let oldest: number | null = null;
    for (const events of this.#events.values()) {
      if (this.#latestMs - events[events.length - 1]!.atMs >= this.windowMs) continue;
      if (oldest === null || events[0]!.index < oldest) oldest = events[0]!.index;
    }
    return oldest;
  }

  /** Keys being counted (for tests and metrics). */
  get keys(): number {
    return this.#events.size;
  }

  /** Drops keys whose newest event is a whole window older than the newest seen, once per window. */
  #sweep(): void {
    if (this.#latestMs - this.#sweptAtMs < this.windowMs) return;
    this.#sweptAtMs = this.#latestMs;
    for (const [key, events] of this.#events) {
      if (this.#latestMs - events[events.length - 1]!.atMs >= this.windowMs) this.#events.delete(key);
    }
  }
}
