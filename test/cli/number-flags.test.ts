import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { dpCommand } from '../../src/cli/commands/dp.js';
import { keysCommand } from '../../src/cli/commands/keys.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { trainCommand } from '../../src/cli/commands/train.js';
import type { Run } from '../../src/cli/context.js';
import { runInProcess } from '../support/in-process-cli.js';
import { tempDir } from '../support/services.js';

/**
 * Number flags and arguments that `Number()` used to read: `""` as 0, `0x50` as 80, `1e0` as 1
 * and ` 5 ` as 5 are refused naming the flag, its range and the value, in process (the source,
 * not dist); the values that worked before still do.
 */
let dir: { path: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir('number-flags');
  writeFileSync(join(dir.path, 'lt.yaml'), `crypto:\n  kek: file:${join(dir.path, 'kek.key')}\n`);
});
afterEach(() => {
  vi.restoreAllMocks();
  dir.cleanup();
});

const storeArgs = () => ['--db', `sqlite:${join(dir.path, 'lt.db')}`, '--config', join(dir.path, 'lt.yaml')];
const cli = (commands: (run: Run) => ReturnType<typeof serveCommand>, ...args: string[]) => runInProcess((run) => [commands(run)], [...args, ...storeArgs()]);

describe('serve --port', () => {
  it.each(['', '0x50', '1e3', ' 5 ', '80.0', '-1', '65536'])('%j is refused before any store is opened', async (port) => {
    const r = await cli(serveCommand, 'serve', '--port', port, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error).toEqual({ code: 'ERR_INVALID_INPUT', message: `--port must be a whole number from 0 to 65535; got ${JSON.stringify(port)}` });
    expect(existsSync(join(dir.path, 'lt.db'))).toBe(false);
  });
});

describe('keys min-version and destroy-version', () => {
  it('take a whole version number and refuse any other spelling of one', async () => {
    expect((await cli(keysCommand, 'keys', 'create', 'k')).code).toBe(0);
    expect((await cli(keysCommand, 'keys', 'rotate', 'k')).code).toBe(0);
    for (const command of ['min-version', 'destroy-version']) {
      for (const version of ['1e0', '', '0x1', ' 1', '1.0', '0']) {
        const r = await cli(keysCommand, 'keys', command, 'k', version, '--json');
        expect(r.code, `${command} ${JSON.stringify(version)}`).toBe(2);
        expect(JSON.parse(r.out).error).toEqual({ code: 'ERR_INVALID_INPUT', message: `version must be a whole number ≥ 1; got ${JSON.stringify(version)}` });
      }
    }
    const min = await cli(keysCommand, 'keys', 'min-version', 'k', '2', '--json');
    expect(min.code, min.out).toBe(0);
    expect(JSON.parse(min.out)).toMatchObject({ name: 'k', primaryVersion: 2, minDecryptionVersion: 2 });
    const destroyed = await cli(keysCommand, 'keys', 'destroy-version', 'k', '1', '--json');
    expect(destroyed.code, destroyed.out).toBe(0);
    expect(JSON.parse(destroyed.out).versions.find((v: { version: number }) => v.version === 1).destroyedAt).toEqual(expect.any(String));
  });
});

describe('audit query and prove', () => {
  it('refuse a number in another notation, naming the flag or argument', async () => {
    expect((await cli(auditCommand, 'audit', 'log', '--type', 'x', '--result', 'success')).code).toBe(0);
    const cases: Array<[string[], string]> = [
      [['audit', 'query', '--limit', '1e2'], '--limit must be a whole number from 1 to 10000; got "1e2"'],
      [['audit', 'query', '--limit', '0'], '--limit must be a whole number from 1 to 10000; got "0"'],
      [['audit', 'query', '--after', ''], '--after must be a whole number ≥ 0; got ""'],
      [['audit', 'prove', '0x0'], 'entry index must be a whole number ≥ 0; got "0x0"'],
      [['audit', 'prove', '--consistency', '1', ' 1'], '--consistency must be a whole number ≥ 0; got " 1"'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(auditCommand, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toBe(`error: ${message}\n`);
    }
    const page = await cli(auditCommand, 'audit', 'query', '--after', '0', '--limit', '10', '--json');
    expect(page.code, page.err).toBe(0);
    expect(JSON.parse(page.out)).toEqual([]);
  });
});

describe('dp and train', () => {
  it('dp takes privacy parameters in scientific notation, and refuses what Number() took', async () => {
    const dp = (...args: string[]) => runInProcess((run) => [dpCommand(run)], ['dp', ...args, '--json']);
    const cases: Array<[string[], string]> = [
      [['epsilon', '--sampling-rate', '0.04', '--noise-multiplier', '1', '--steps', '1e3', '--delta', '1e-5'], '--steps must be a whole number ≥ 1; got "1e3"'],
      [['epsilon', '--sampling-rate', '', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5'], '--sampling-rate must be a number from 0 to 1, in plain or scientific notation (e.g. 0.25, 1e-5); got ""'],
      [['epsilon', '--sampling-rate', '0.04', '--noise-multiplier', '0x1', '--steps', '10', '--delta', '1e-5'], '--noise-multiplier must be a number > 0 (without noise the steps give no privacy: epsilon would be infinite), in plain or scientific notation (e.g. 0.25, 1e-5); got "0x1"'],
      [['calibrate', '--epsilon', '2', '--delta', '1', '--sampling-rate', '0.01', '--steps', '10'], '--delta must be a number > 0 and < 1, in plain or scientific notation (e.g. 0.25, 1e-5); got "1"'],
      [['calibrate', '--epsilon', '2', '--delta', '1e-5', '--sampling-rate', '0', '--steps', '10'], '--sampling-rate must be a number > 0 and ≤ 1, in plain or scientific notation (e.g. 0.25, 1e-5); got "0"'],
      [['calibrate', '--epsilon', '2', '--delta', '1e-5', '--sampling-rate', '0.01', '--epochs', '0'], '--epochs must be a number > 0, in plain or scientific notation (e.g. 0.25, 1e-5); got "0"'],
      [['budget', 'create', 'dataset:x', '--epsilon', ' 3', '--delta', '1e-5', '--db', 'sqlite::memory:'], '--epsilon must be a number > 0, in plain or scientific notation (e.g. 0.25, 1e-5); got " 3"'],
    ];
    for (const [args, message] of cases) {
      const r = await dp(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(JSON.parse(r.out).error).toEqual({ code: 'ERR_INVALID_INPUT', message });
    }
    // q = 0 releases nothing: accounted as before, epsilon 0
    const nothing = await dp('epsilon', '--sampling-rate', '0', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5');
    expect(JSON.parse(nothing.out)).toMatchObject({ epsilon: 0 });
    const calibrated = await dp('calibrate', '--epsilon', '2', '--delta', '1E-5', '--sampling-rate', '1e-2', '--epochs', '2.5');
    expect(calibrated.code, calibrated.out).toBe(0);
    expect(JSON.parse(calibrated.out)).toMatchObject({ steps: 250 });
  });

  it('train refuses its number flags in other notations before it reads any data', async () => {
    const train = (...args: string[]) => cli(trainCommand, 'train', '--data', join(dir.path, 'absent.jsonl'), '--output', join(dir.path, 'model.json'), ...args);
    const cases: Array<[string[], string]> = [
      [['--epochs', '1e1'], '--epochs must be a whole number from 1 to 10000; got "1e1"'],
      [['--epochs', '10001'], '--epochs must be a whole number from 1 to 10000; got "10001"'],
      [['--learning-rate', '0x3'], '--learning-rate must be a number > 0, in plain or scientific notation (e.g. 0.25, 1e-5); got "0x3"'],
      [['--clipping-norm', ''], '--clipping-norm must be a number > 0, in plain or scientific notation (e.g. 0.25, 1e-5); got ""'],
      [['--epsilon', '8', '--delta', '-1e-5'], '--delta must be a number > 0 and < 1, in plain or scientific notation (e.g. 0.25, 1e-5); got "-1e-5"'],
    ];
    for (const [args, message] of cases) {
      const r = await train(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toBe(`error: ${message}\n`);
    }
    expect(existsSync(join(dir.path, 'lt.db'))).toBe(false);
  });
});
