import { describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../src/core/errors.js';
import { parseDuration, parseRate, parseSize } from '../../src/core/units.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Calls `parse`, expects an ERR_INVALID_UNIT that names `what` and the rejected text. */
function rejection(parse: () => unknown): { message: string; details: Readonly<Record<string, unknown>> } {
  try {
    parse();
  } catch (err) {
    if (!isLangtrainError(err, 'ERR_INVALID_UNIT')) throw err;
    return { message: err.message, details: err.details };
  }
  throw new Error('expected ERR_INVALID_UNIT, but the value was accepted');
}

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['45s', 45 * SECOND],
    ['30m', 30 * MINUTE],
    ['8h', 8 * HOUR],
    ['30d', 30 * DAY],
    ['2w', 14 * DAY],
    // A year is 365 days (see units.ts): retention is a legal minimum.
    ['7y', 7 * 365 * DAY],
    ['  8h  ', 8 * HOUR],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads "m" as minutes and "ms" as milliseconds, not the other way round', () => {
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1ms')).toBe(1);
  });

  it.each(['', '7 years', '0d', '0ms', '1.5h', '-1d', 'd', '10', '10x', '1h30m', 'Infinity'])(
    'rejects %j with ERR_INVALID_UNIT naming the option',
    (text) => {
      const { message, details } = rejection(() => parseDuration(text, 'audit.retentionPeriod'));
      expect(message).toContain('audit.retentionPeriod');
      expect(message).toContain(`"${text}"`);
      expect(details).toEqual({ what: 'audit.retentionPeriod', value: text });
    },
  );

  it('rejects a duration too large for exact millisecond arithmetic', () => {
    const { message } = rejection(() => parseDuration('999999999999y', 'audit.retentionPeriod'));
    expect(message).toContain('audit.retentionPeriod');
    expect(message).toMatch(/below/);
    // The largest year count that still fits in a safe integer is accepted.
    const maxYears = Math.floor(Number.MAX_SAFE_INTEGER / (365 * DAY));
    expect(parseDuration(`${maxYears}y`)).toBe(maxYears * 365 * DAY);
    expect(() => parseDuration(`${maxYears + 1}y`)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_UNIT' }));
  });

  it('names "duration" when no option name is given', () => {
    expect(rejection(() => parseDuration('soon')).message).toMatch(/^duration: /);
  });
});

describe('parseRate', () => {
  it.each([
    ['1000/hour', 1000, HOUR],
    ['10/second', 10, SECOND],
    ['5/min', 5, MINUTE],
    ['60/minute', 60, MINUTE],
    ['100/day', 100, DAY],
    ['3/s', 3, SECOND],
    ['1000 / hour', 1000, HOUR],
  ])('%j is %d per %d ms', (text, limit, windowMs) => {
    expect(parseRate(text)).toEqual({ limit, windowMs });
  });

  it('ignores case', () => {
    expect(parseRate('1000/HOUR')).toEqual({ limit: 1000, windowMs: HOUR });
    expect(parseRate('5/Min')).toEqual({ limit: 5, windowMs: MINUTE });
  });

  it.each(['0/hour', '10/fortnight', 'abc', '', '/hour', '10', '-5/hour', '1.5/second', '10/hour/day'])(
    'rejects %j with ERR_INVALID_UNIT naming the option',
    (text) => {
      const { message, details } = rejection(() => parseRate(text, 'server.rateLimit'));
      expect(message).toContain('server.rateLimit');
      expect(message).toContain(`"${text}"`);
      expect(details).toEqual({ what: 'server.rateLimit', value: text });
    },
  );
});

describe('parseSize', () => {
  it.each([
    ['1b', 1],
    ['1kb', 1_000],
    ['1KiB', 1_024],
    ['10 MB', 10_000_000],
    ['1MiB', 1_048_576],
    ['2gb', 2_000_000_000],
    ['2GiB', 2 * 1_073_741_824],
    ['512KiB', 512 * 1_024],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('keeps decimal and binary units apart', () => {
    expect(parseSize('1MB')).not.toBe(parseSize('1MiB'));
    expect(parseSize('1MiB') - parseSize('1MB')).toBe(48_576);
  });

  it.each(['', '1.5MB', '-1MB', '10', 'MB', '1TB', '1 megabyte'])('rejects %j with ERR_INVALID_UNIT naming the option', (text) => {
    const { message, details } = rejection(() => parseSize(text, 'server.bodyLimit'));
    expect(message).toContain('server.bodyLimit');
    expect(details).toEqual({ what: 'server.bodyLimit', value: text });
  });

  it('rejects a size too large for exact arithmetic', () => {
    const { message } = rejection(() => parseSize('99999999999GiB', 'server.bodyLimit'));
    expect(message).toContain('server.bodyLimit');
    expect(message).toMatch(/too large/);
  });
});
