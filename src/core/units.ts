import { LangtrainError } from './errors.js';

/**
 * The seed writes durations, rates and sizes as short strings ("30d", "8h",
 * "1000/hour", "7y"). They are parsed once, at the door, into plain numbers so the rest
 * of the code never handles the strings again.
 */

const MS_PER: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  // A year is 365 days: retention periods are legal minimums, so rounding a leap day
  // down would keep data one day short; 365 days errs the other way only by a day.
  y: 365 * 86_400_000,
};

const DURATION = /^(\d+)(ms|s|m|h|d|w|y)$/;

/** Milliseconds in a duration such as `30m`, `8h`, `30d`, `7y`. */
export function parseDuration(text: string, what = 'duration'): number {
  const match = DURATION.exec(String(text).trim());
  if (!match) {
    throw new LangtrainError(
      'ERR_INVALID_UNIT',
      `${what}: "${text}" is not a duration; write a whole number and a unit (ms, s, m, h, d, w, y), e.g. "30m", "8h", "30d", "7y"`,
      { what, value: text },
    );
  }
  const value = Number(match[1]);
  const ms = value * MS_PER[match[2]!]!;
  if (value === 0 || !Number.isSafeInteger(ms)) {
    throw new LangtrainError('ERR_INVALID_UNIT', `${what}: "${text}" must be greater than zero and below 285,000 years`, {
      what,
      value: text,
    });
  }
  return ms;
}

export interface Rate {
  /** Events allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
}

const RATE_WINDOWS: Record<string, number> = {
  second: 1_000,
  sec: 1_000,
  s: 1_000,
  minute: 60_000,
  min: 60_000,
  m: 60_000,
  hour: 3_600_000,
  h: 3_600_000,
  day: 86_400_000,
  d: 86_400_000,
};

const RATE = /^(\d+)\s*\/\s*([a-z]+)$/;

/** A rate such as `1000/hour`, `10/second`, `5/min`. */
export function parseRate(text: string, what = 'rate'): Rate {
  const match = RATE.exec(String(text).trim().toLowerCase());
  const windowMs = match ? RATE_WINDOWS[match[2]!] : undefined;
  if (!match || windowMs === undefined || Number(match[1]) === 0) {
    throw new LangtrainError(
      'ERR_INVALID_UNIT',
      `${what}: "${text}" is not a rate; write a positive count per second, minute, hour or day, e.g. "1000/hour"`,
      { what, value: text },
    );
  }
  return { limit: Number(match[1]), windowMs };
}

const BYTES_PER: Record<string, number> = {
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1_024,
  mib: 1_048_576,
  gib: 1_073_741_824,
};

const SIZE = /^(\d+)\s*(b|kb|mb|gb|kib|mib|gib)$/;

/** Bytes in a size such as `1mb`, `512KiB`, `10 MB` (decimal and binary units). */
export function parseSize(text: string, what = 'size'): number {
  const match = SIZE.exec(String(text).trim().toLowerCase());
  if (!match) {
    throw new LangtrainError(
      'ERR_INVALID_UNIT',
      `${what}: "${text}" is not a size; write a whole number and a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. "1MiB"`,
      { what, value: text },
    );
  }
  const bytes = Number(match[1]) * BYTES_PER[match[2]!]!;
  if (!Number.isSafeInteger(bytes)) {
    throw new LangtrainError('ERR_INVALID_UNIT', `${what}: "${text}" is too large`, { what, value: text });
  }
  return bytes;
}
