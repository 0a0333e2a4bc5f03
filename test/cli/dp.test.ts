import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, parseJson, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('langtrain dp', { timeout: 240_000 }, () => {
  it("epsilon reproduces Opacus' RDP case, calibrate meets its target, budgets are kept in the store", async () => {
    const w = workspace('dp');
    cleanups.push(w.cleanup);
    // Opacus tests/privacy_analysis (RDP, improved conversion): q=0.04, sigma=1.5, 2250 steps, delta=1e-5 -> epsilon 7.3291.
    const epsilon = await runCli(['dp', 'epsilon', '--sampling-rate', '0.04', '--noise-multiplier', '1.5', '--steps', '2250', '--delta', '1e-5', '--json'], { cwd: w.dir });
    expect(epsilon.code, epsilon.stderr).toBe(0);
    expect(parseJson(epsilon).epsilon).toBeCloseTo(7.3291, 4);
    expect(parseJson(epsilon).order).toBeGreaterThan(1);

    const calibrated = await runCli(['dp', 'calibrate', '--epsilon', '2', '--delta', '1e-5', '--sampling-rate', '0.01', '--steps', '1000', '--json'], { cwd: w.dir });
    expect(calibrated.code, calibrated.stderr).toBe(0);
    const { noiseMultiplier, epsilon: reached } = parseJson(calibrated);
    expect(reached).toBeLessThanOrEqual(2);
    expect(reached).toBeGreaterThanOrEqual(1.99);
    const check = await runCli(['dp', 'epsilon', '--sampling-rate', '0.01', '--noise-multiplier', String(noiseMultiplier), '--steps', '1000', '--delta', '1e-5', '--json'], { cwd: w.dir });
    expect(parseJson(check).epsilon).toBeCloseTo(reached, 10);

    const bad = await runCli(['dp', 'epsilon', '--sampling-rate', 'lots', '--noise-multiplier', '1', '--steps', '1', '--delta', '1e-5'], { cwd: w.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sampling-rate must be a number');
    const noNoise = await runCli(['dp', 'epsilon', '--sampling-rate', '0.04', '--noise-multiplier', '0', '--steps', '10', '--delta', '1e-5', '--json'], { cwd: w.dir });
    expect(noNoise.code).toBe(2);
    expect(noNoise.stderr).toBe('');
    expect(parseJson(noNoise).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('--noise-multiplier must be a number > 0 (without noise the steps give no privacy: epsilon would be infinite)') });

    // A target below the default 0.01 tolerance calibrates, and the accountant confirms it is met.
    const small = await runCli(['dp', 'calibrate', '--epsilon', '0.005', '--delta', '1e-5', '--sampling-rate', '0.01', '--steps', '100', '--json'], { cwd: w.dir });
    expect(small.code, small.stderr).toBe(0);
    const smallCheck = await runCli(['dp', 'epsilon', '--sampling-rate', '0.01', '--noise-multiplier', String(parseJson(small).noiseMultiplier), '--steps', '100', '--delta', '1e-5', '--json'], { cwd: w.dir });
    expect(parseJson(smallCheck).epsilon).toBeLessThanOrEqual(0.005);

    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 60_000 });
    const created = await cli('dp', 'budget', 'create', 'dataset:tickets', '--epsilon', '3', '--delta', '1e-5', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(parseJson(created)).toMatchObject({ unit: 'dataset:tickets', epsilon: 3, spentEpsilon: 0 });
    const listed = await cli('dp', 'budget', 'list');
    expect(listed.stdout).toContain('dataset:tickets: spent epsilon 0.0000 of 3');
  });
});
