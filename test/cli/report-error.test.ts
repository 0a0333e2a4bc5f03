import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../src/cli/context.js';

/** reportError, the CLI's last word on a failure: whatever was thrown, it says something and exits 2. */
afterEach(() => vi.restoreAllMocks());

function reported(thrown: unknown): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  const code = reportError(thrown, false);
  vi.restoreAllMocks();
  return { code, out, err };
}

describe('reportError', () => {
  it('reports values that are not errors, undefined and null included, without throwing', () => {
    for (const thrown of [undefined, null, 'text', 42]) expect(reported(thrown)).toMatchObject({ code: 2, err: `error: ${String(thrown)}\n` });
  });

  it('says which file cannot be opened and why, without a trace; other system errors keep theirs', () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'in.jsonl'"), { code: 'ENOENT', syscall: 'open', path: 'in.jsonl' });
    expect(reported(missing)).toEqual({ code: 2, out: '', err: 'error: cannot open in.jsonl: there is no such file\n' });
    const rename = Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM', syscall: 'rename', path: 'a' });
    expect(reported(rename).err).toMatch(/unexpected; please report it with this trace/);
  });
});
