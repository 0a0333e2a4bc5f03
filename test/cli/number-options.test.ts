import { describe, expect, it } from 'vitest';
import { realNumberOption, wholeNumberOption, type Interval } from '../../src/cli/number-options.js';
import { thrownBy } from '../support/thrown.js';

/**
 * The number option parsers: what `Number()` let through (`''` as 0, hex, exponents where a
 * count is meant, padding) is refused naming the option, the range and the value given.
 */
describe('wholeNumberOption', () => {
  it('takes plain digits in range, as before', () => {
    expect(wholeNumberOption('8787', '--port', 0, 65_535)).toBe(8787);
    expect(wholeNumberOption('0', '--port', 0, 65_535)).toBe(0);
    expect(wholeNumberOption('65535', '--port', 0, 65_535)).toBe(65_535);
    expect(wholeNumberOption('2', 'version', 1)).toBe(2);
  });

  it.each(['', ' 5 ', '0x50', '1e3', '1e0', '5.0', '-1', '+5', '65536', 'eighty'])('refuses %j naming the option, the range and the value', (value) => {
    expect(thrownBy(() => wholeNumberOption(value, '--port', 0, 65_535))).toMatchObject({ code: 'ERR_INVALID_INPUT', message: `--port must be a whole number from 0 to 65535; got ${JSON.stringify(value)}` });
  });

  it('an open range says so', () => {
    expect(thrownBy(() => wholeNumberOption('0', 'version', 1))).toMatchObject({ message: 'version must be a whole number ≥ 1; got "0"' });
  });
});

describe('realNumberOption', () => {
  it('takes plain and scientific notation in range', () => {
    expect(realNumberOption('1e-5', '--delta', { above: 0, below: 1 })).toBe(1e-5);
    expect(realNumberOption('1E-5', '--delta', { above: 0, below: 1 })).toBe(1e-5);
    expect(realNumberOption('0.04', '--sampling-rate', { above: 0, to: 1 })).toBe(0.04);
    expect(realNumberOption('.5', '--sampling-rate', { above: 0, to: 1 })).toBe(0.5);
    expect(realNumberOption('1', '--sampling-rate', { above: 0, to: 1 })).toBe(1);
    expect(realNumberOption('0', '--sampling-rate', { from: 0, to: 1 })).toBe(0);
    expect(realNumberOption('2.5e1', '--epsilon', { above: 0 })).toBe(25);
  });

  it.each(['', ' ', ' 0.5', '0.5 ', '0x1', '-0.5', '+0.5', 'Infinity', '1e999', 'NaN', 'e5', '1e', 'lots'])('refuses %j', (value) => {
    expect(thrownBy(() => realNumberOption(value, '--delta', { above: 0, below: 1 }))).toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: `--delta must be a number > 0 and < 1, in plain or scientific notation (e.g. 0.25, 1e-5); got ${JSON.stringify(value)}`,
    });
  });

  it('names each kind of range, and the reason for one when given', () => {
    const message = (value: string, option: string, range: Interval, why?: string) => (thrownBy(() => realNumberOption(value, option, range, why)) as Error).message;
    expect(message('1', '--delta', { above: 0, below: 1 })).toMatch(/^--delta must be a number > 0 and < 1,/);
    expect(message('0', '--sampling-rate', { above: 0, to: 1 })).toMatch(/^--sampling-rate must be a number > 0 and ≤ 1,/);
    expect(message('1.5', '--sampling-rate', { from: 0, to: 1 })).toMatch(/^--sampling-rate must be a number from 0 to 1,/);
    expect(message('1e-400', '--epsilon', { above: 0 })).toMatch(/^--epsilon must be a number > 0,.*; got "1e-400"$/);
    expect(message('0', '--noise-multiplier', { above: 0 }, 'no noise, no privacy')).toBe(
      '--noise-multiplier must be a number > 0 (no noise, no privacy), in plain or scientific notation (e.g. 0.25, 1e-5); got "0"',
    );
  });

  it('takes each end of a range once, open or closed: the type refuses both', () => {
    // @ts-expect-error: `above` and `from` both name the lower end
    const contradictory: Interval = { above: 0, from: 0 };
    // @ts-expect-error: `below` and `to` both name the upper end
    const contradictoryUpper: Interval = { below: 1, to: 1 };
    expect([contradictory, contradictoryUpper]).toHaveLength(2);
    expect(realNumberOption('5e-1', '--threshold', { from: 0, to: 1 })).toBe(0.5);
  });
});
