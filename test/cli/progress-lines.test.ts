import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startProgress } from '../../src/cli/progress.js';

/**
 * The plain progress lines (stderr not a terminal: CI, pipes, log files), on a fake clock: at
 * most one line every two seconds, and once the total is known, the percentage and the time
 * left at the average rate so far.
 */
let written: string[];
let wasTTY: boolean | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  written = [];
  wasTTY = process.stderr.isTTY;
  process.stderr.isTTY = false;
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  process.stderr.isTTY = wasTTY as boolean;
});

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

describe('progress lines', () => {
  it('show the total learnt with the first update, the percentage and the time left; the last line none', () => {
    const progress = startProgress('scanning (MB)', undefined, false, megabytes);
    progress.update(1e6, 10e6);
    expect(written).toEqual([]); // not two seconds yet
    vi.setSystemTime(2000);
    progress.update(2.5e6, 10e6); // 2.5 MB in 2 s: 7.5 MB more take 6 s
    vi.setSystemTime(3000);
    progress.update(3e6);
    vi.setSystemTime(4000);
    progress.update(5e6); // the total stays known
    progress.update(10e6);
    progress.finish();
    expect(written).toEqual(['scanning (MB): 2.5/10.0 (25%, 06s left)\n', 'scanning (MB): 5.0/10.0 (50%, 04s left)\n', 'scanning (MB): 10.0/10.0 (100%)\n']);
  });

  it('without a total, the count alone, as before; an empty input is done, not divided by zero', () => {
    const count = startProgress('checking', undefined);
    vi.setSystemTime(2500);
    count.update(700);
    count.finish();
    const empty = startProgress('scanning (MB)', 0, false, megabytes);
    empty.finish();
    expect(written).toEqual(['checking: 700\n', 'checking: 700\n', 'scanning (MB): 0.0/0.0 (100%)\n']);
  });

  it('--quiet prints nothing', () => {
    const quiet = startProgress('importing', 10, true);
    vi.setSystemTime(5000);
    quiet.update(5);
    quiet.finish();
    expect(written).toEqual([]);
  });
});
