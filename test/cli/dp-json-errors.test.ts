import { afterEach, describe, expect, it, vi } from 'vitest';
import { dpCommand } from '../../src/cli/commands/dp.js';
import { runInProcess } from '../support/in-process-cli.js';

/**
 * `langtrain dp …` in process (the source, not dist), run as main.ts runs it: with --json,
 * a bad option value is reported as `{"error": …}` on stdout by every subcommand, as
 * `calibrate`'s own checks are, not as plain text on stderr.
 */
afterEach(() => vi.restoreAllMocks());

const dp = (...args: string[]) => runInProcess((run) => [dpCommand(run)], ['dp', ...args]);

describe('langtrain dp --json errors', () => {
  it('epsilon with --noise-multiplier 0 is a JSON error, like calibrate', async () => {
    const noNoise = await dp('epsilon', '--sampling-rate', '0.04', '--noise-multiplier', '0', '--steps', '10', '--delta', '1e-5', '--json');
    expect(noNoise.code).toBe(2);
    expect(noNoise.err).toBe('');
    expect(JSON.parse(noNoise.out).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^--noise-multiplier must be a number > 0 \(without noise .*; got "0"$/) });

    const calibrate = await dp('calibrate', '--epsilon', '2', '--delta', '1e-5', '--sampling-rate', '0.01', '--json');
    expect(JSON.parse(calibrate.out).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'give --steps or --epochs (one of them)' });
  });

  it('a value that is not a number is a JSON error in every subcommand', async () => {
    const runs = [
      await dp('epsilon', '--sampling-rate', 'lots', '--noise-multiplier', '1', '--steps', '1', '--delta', '1e-5', '--json'),
      await dp('calibrate', '--epsilon', 'two', '--delta', '1e-5', '--sampling-rate', '0.01', '--steps', '10', '--json'),
      await dp('budget', 'create', 'dataset:x', '--epsilon', 'three', '--delta', '1e-5', '--db', 'sqlite::memory:', '--json'),
    ];
    for (const [i, option] of ['--sampling-rate', '--epsilon', '--epsilon'].entries()) {
      expect(runs[i]!.code).toBe(2);
      expect(runs[i]!.err).toBe('');
      expect(JSON.parse(runs[i]!.out).error.message).toMatch(new RegExp(`^${option} must be a number .*; got "(lots|two|three)"$`));
    }
  });

  it('without --json the same error is text on stderr', async () => {
    const plain = await dp('epsilon', '--sampling-rate', '0.04', '--noise-multiplier', '0', '--steps', '10', '--delta', '1e-5');
    expect(plain).toMatchObject({ code: 2, out: '' });
    expect(plain.err).toMatch(/^error: --noise-multiplier must be a number > 0/);
  });

  it('still answers good input', async () => {
    const ok = await dp('epsilon', '--sampling-rate', '0.04', '--noise-multiplier', '1.5', '--steps', '2250', '--delta', '1e-5', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).epsilon).toBeCloseTo(7.3291, 4);
  });
});
