import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../support/thrown.js';
import { isLangtrainError } from '../../../src/core/errors.js';
import { epsilonFor, getNoiseMultiplier, PrvAccountant, RdpAccountant, type NoiseCalibrationOptions } from '../../../src/privacy/dp/index.js';

describe('getNoiseMultiplier', () => {
  // opacus/tests/accountants_test.py get_noise_multiplier tests: target ε=8, δ=1e-5, q=0.04.
  // Opacus bisects from [0, 20] and returns whichever midpoint first lands in the band; the
  // search here narrows differently, so the σ differ within the band's width
  // (|dε/dσ| ≈ 10 here, so a 0.01 band in ε is ≈ 0.001 in σ).
  it.each([
    { accountant: 'rdp', epochs: 90, opacus: 1.416 },
    { accountant: 'rdp', steps: 2000, opacus: 1.3562 },
    { accountant: 'prv', epochs: 90, opacus: 1.34765625 },
    { accountant: 'prv', steps: 2000, opacus: 1.2915 },
  ] as const)("lands next to Opacus' σ $opacus ($accountant)", (row) => {
    const { accountant, opacus, ...length } = row;
    const found = getNoiseMultiplier({ targetEpsilon: 8, delta: 1e-5, samplingRate: 0.04, accountant, ...length });
    expect(Math.abs(found.noiseMultiplier - opacus)).toBeLessThan(0.002);
    expect(found.epsilon).toBeLessThanOrEqual(8);
    expect(found.epsilon).toBeGreaterThanOrEqual(8 - 0.01);
  });

  it('converts epochs to steps as Opacus does: int(epochs / sample_rate)', () => {
    expect(getNoiseMultiplier({ targetEpsilon: 8, delta: 1e-5, samplingRate: 0.04, epochs: 90, accountant: 'rdp' }).steps).toBe(2250);
    expect(getNoiseMultiplier({ targetEpsilon: 2, delta: 1e-5, samplingRate: 0.003, epochs: 1, accountant: 'rdp' }).steps).toBe(333);
  });

  const targets: Omit<NoiseCalibrationOptions, 'accountant'>[] = [
    { targetEpsilon: 0.5, delta: 1e-5, samplingRate: 0.01, steps: 500 },
    { targetEpsilon: 1, delta: 1e-6, samplingRate: 0.001, steps: 5000 },
    { targetEpsilon: 3, delta: 1e-5, samplingRate: 0.02, steps: 1000 },
    { targetEpsilon: 10, delta: 1e-5, samplingRate: 0.1, steps: 300 },
  ];

  it.each(targets)('returns σ spending ε in [target - 0.01, target] for ε=$targetEpsilon (both accountants)', (options) => {
    for (const accountant of ['rdp', 'prv'] as const) {
      const found = getNoiseMultiplier({ ...options, accountant });
      const check = epsilonFor({ noiseMultiplier: found.noiseMultiplier, samplingRate: options.samplingRate, steps: found.steps, delta: options.delta, accountant });
      expect(check.epsilon).toBe(found.epsilon);
      expect(found.epsilon).toBeLessThanOrEqual(options.targetEpsilon);
      expect(found.epsilon).toBeGreaterThanOrEqual(options.targetEpsilon - 0.01);
    }
  });

  it('honours a wider tolerance, and PRV (the tighter accountant) needs less noise than RDP', () => {
    const options = { targetEpsilon: 2, delta: 1e-5, samplingRate: 0.01, steps: 2000, epsilonTolerance: 0.1 };
    const viaRdp = getNoiseMultiplier({ ...options, accountant: 'rdp' });
    const viaPrv = getNoiseMultiplier({ ...options, accountant: 'prv' });
    expect(viaRdp.epsilon).toBeGreaterThanOrEqual(1.9);
    expect(viaPrv.epsilon).toBeGreaterThanOrEqual(1.9);
    expect(viaPrv.noiseMultiplier).toBeLessThan(viaRdp.noiseMultiplier);
  });

  // The default band is 0.01 wide, or a tenth of a smaller target, so a target below 0.01 can be asked for.
  it.each([
    { accountant: 'rdp', targetEpsilon: 0.005 },
    { accountant: 'rdp', targetEpsilon: 0.05 },
    { accountant: 'prv', targetEpsilon: 0.02 },
  ] as const)('calibrates the small target ε=$targetEpsilon ($accountant) to within a tenth of it, as the accountant confirms', ({ accountant, targetEpsilon }) => {
    const options = { targetEpsilon, delta: 1e-5, samplingRate: 0.01, steps: 100 };
    const found = getNoiseMultiplier({ ...options, accountant });
    const check = epsilonFor({ noiseMultiplier: found.noiseMultiplier, samplingRate: options.samplingRate, steps: found.steps, delta: options.delta, accountant });
    expect(check.epsilon).toBeLessThanOrEqual(targetEpsilon);
    expect(check.epsilon).toBeGreaterThanOrEqual(targetEpsilon * 0.9);
  });

  it('refuses a prv target within its 0.01 precision, pointing to the rdp accountant', () => {
    const caught = thrownBy(() => getNoiseMultiplier({ targetEpsilon: 0.005, delta: 1e-5, samplingRate: 0.01, steps: 100, accountant: 'prv' }));
    expect(isLangtrainError(caught, 'ERR_INVALID_INPUT')).toBe(true);
    expect((caught as Error).message).toMatch(/targetEpsilon 0\.005 is not above 0\.01.*use the rdp accountant/);
  });

  it('refuses a target no noise level can meet', () => {
    const caught = thrownBy(() => getNoiseMultiplier({ targetEpsilon: 1e-9, epsilonTolerance: 1e-10, delta: 1e-5, samplingRate: 0.5, steps: 10, accountant: 'rdp' }));
    expect(isLangtrainError(caught, 'ERR_INVALID_INPUT')).toBe(true);
    expect((caught as Error).message).toMatch(/unreachable/);
  });

  it.each([
    [{ targetEpsilon: 0 }, /targetEpsilon must be > 0/],
    [{ delta: 1 }, /delta must be > 0 and < 1/],
    [{ delta: 0 }, /delta must be > 0 and < 1/],
    [{ samplingRate: 0 }, /samplingRate must be > 0 and ≤ 1/],
    [{ samplingRate: 1.01 }, /samplingRate must be > 0 and ≤ 1/],
    [{ steps: 10.5 }, /steps must be a positive integer/],
    [{ steps: 0 }, /steps must be a positive integer/],
    [{ steps: undefined }, /exactly one of steps or epochs/],
    [{ epochs: 3 }, /exactly one of steps or epochs/],
    [{ accountant: 'gdp' }, /accountant must be one of 'rdp', 'prv'/],
    [{ epsilonTolerance: -1 }, /epsilonTolerance must be > 0/],
    [{ epsilonTolerance: 2 }, /epsilonTolerance must be below targetEpsilon: leave it out/],
    [{ sampleRate: 0.1 }, /unknown option sampleRate/],
  ])('refuses %o naming the option', (override, message) => {
    const options = { targetEpsilon: 1, delta: 1e-5, samplingRate: 0.01, steps: 100, accountant: 'rdp', ...override };
    const caught = thrownBy(() => getNoiseMultiplier(options as NoiseCalibrationOptions));
    expect(isLangtrainError(caught, 'ERR_INVALID_INPUT')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('epsilonFor', () => {
  it('is what an accountant that recorded the same steps reports', () => {
    const recorded = { noiseMultiplier: 1.2, samplingRate: 0.01, steps: 1500 };
    expect(epsilonFor({ ...recorded, delta: 1e-5, accountant: 'rdp' })).toEqual(new RdpAccountant().record(recorded).getEpsilon(1e-5));
    expect(epsilonFor({ ...recorded, delta: 1e-5, accountant: 'prv' })).toEqual({ epsilon: new PrvAccountant().record(recorded).getEpsilon(1e-5).epsilon });
  });

  it.each([0, -1])('refuses noiseMultiplier %d, which gives no privacy, rather than answering epsilon Infinity (null in JSON)', (noiseMultiplier) => {
    for (const accountant of ['rdp', 'prv'] as const) {
      const caught = thrownBy(() => epsilonFor({ noiseMultiplier, samplingRate: 0.04, steps: 10, delta: 1e-5, accountant }));
      expect(isLangtrainError(caught, 'ERR_INVALID_INPUT')).toBe(true);
      expect((caught as Error).message).toMatch(/noiseMultiplier must be > 0: without noise the steps give no privacy/);
    }
  });
});
