import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * A throwaway SoftHSM2 token for tests (SoftHSM2 is installed by .ci/run). SoftHSM reads
 * SOFTHSM2_CONF when C_Initialize runs, so the config path goes into process.env before any
 * KEK opens; each test file gets its own token directory and its own process (vitest's
 * default forks pool), so files never see each other's tokens.
 */
export interface SoftHsmToken {
  modulePath: string;
  tokenLabel: string;
  pin: string;
  soPin: string;
  /** Delete the token directory and restore SOFTHSM2_CONF. */
  cleanup: () => void;
}

const MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so', // Debian, Ubuntu
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so', // Fedora, RHEL
  '/usr/local/lib/softhsm/libsofthsm2.so', // built from source
  '/opt/homebrew/lib/softhsm/libsofthsm2.so', // macOS
];

export function softHsmModulePath(): string {
  const found = [process.env.SOFTHSM2_MODULE, ...MODULE_CANDIDATES].find((path) => path !== undefined && existsSync(path));
  if (found === undefined) throw new Error(`SoftHSM2 is not installed (no libsofthsm2.so in ${MODULE_CANDIDATES.join(', ')}); run .ci/run or apt-get install softhsm2`);
  return found;
}

export function createSoftHsmToken(label = 'langtrain-test'): SoftHsmToken {
  // In a worker thread process.env is a copy the native library never sees.
  if (!isMainThread) throw new Error('SoftHSM tests need their own process (vitest pool "forks"): SOFTHSM2_CONF must reach the native library');
  const modulePath = softHsmModulePath();
  const dir = mkdtempSync(join(tmpdir(), 'langtrain-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, [`directories.tokendir = ${tokenDir}`, 'objectstore.backend = file', 'log.level = ERROR', 'slots.removable = false', ''].join('\n'));
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;

  const pin = randomBytes(8).toString('hex');
  const soPin = randomBytes(8).toString('hex');
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: 'pipe',
  });
  return {
    modulePath,
    tokenLabel: label,
    pin,
    soPin,
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
    },
  };
}
