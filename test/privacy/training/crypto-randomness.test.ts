import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GaussianNoise } from '../../../src/privacy/training/gaussian-noise.js';
import { PoissonSampler } from '../../../src/privacy/training/poisson-sampling.js';

/**
 * The noise and the batches must come from node:crypto's CSPRNG and nothing else: with
 * `randomFillSync` replaced by a fixed byte pattern, two generators give identical output,
 * so no other source of randomness (Math.random) is mixed in; and the real one is called.
 * (vi.mock is hoisted above the imports, so the modules under test see the wrapped function.)
 */
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, randomFillSync: vi.fn(actual.randomFillSync) };
});

const randomFillSync = vi.mocked(crypto.randomFillSync);

/** A fixed, varied byte stream (xorshift32), standing in for the CSPRNG. */
function fixedBytes<T extends NodeJS.ArrayBufferView>(buffer: T): T {
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let x = 2463534242;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return buffer;
}

afterEach(() => {
  randomFillSync.mockClear();
});

describe('randomness comes from node:crypto alone', () => {
  it('GaussianNoise draws its bytes with randomFillSync, in bulk', () => {
    new GaussianNoise().addTo(new Float64Array(100_000), 1);
    expect(randomFillSync).toHaveBeenCalled();
    // 100 000 normals need ~800 KB: a few dozen 64 KiB calls, not one per draw.
    expect(randomFillSync.mock.calls.length).toBeLessThan(30);
  });

  it('GaussianNoise output is a function of those bytes only', () => {
    randomFillSync.mockImplementation(fixedBytes as typeof crypto.randomFillSync);
    const a = new Float64Array(50_000);
    const b = new Float64Array(50_000);
    new GaussianNoise().addTo(a, 1);
    new GaussianNoise().addTo(b, 1);
    randomFillSync.mockReset();
    expect([...a]).toEqual([...b]);
  });

  it('PoissonSampler draws with randomFillSync and depends on nothing else', () => {
    const actual = new PoissonSampler(1000, 0.1);
    const one = [...actual.next()];
    const two = [...actual.next()];
    expect(randomFillSync).toHaveBeenCalledTimes(2);
    expect(one).not.toEqual(two);
    randomFillSync.mockImplementation(fixedBytes as typeof crypto.randomFillSync);
    const first = [...new PoissonSampler(1000, 0.1).next()];
    const second = [...new PoissonSampler(1000, 0.1).next()];
    randomFillSync.mockReset();
    expect(first).toEqual(second);
    expect(first.length).toBeGreaterThan(0);
  });
});
