/**
 * Encryption throughput through the built package, beside baselines doing the plain work in
 * the same run: per-field sealing with the keyring's primary VersionKey against bare
 * node:crypto AES-256-GCM on the same fields and associated data; a generated JSONL data set
 * through EncryptionService (scope field); data-key wrapping with a PKCS#11 KEK in a
 * throwaway SoftHSM2 token and with a local KEK; and EncryptionService scope file on a large
 * temp file against a plain streamed copy of it.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
// The built package, as users run it.
import type { AuditSink } from '../dist/core/audit-sink.js';
import { decryptWith, encryptWith, type VersionKey } from '../dist/crypto/ciphertext.js';
import { EncryptionService } from '../dist/crypto/encryption-service.js';
import { Keyring } from '../dist/crypto/keyring/keyring.js';
import { keyringMigrations } from '../dist/crypto/keyring/schema.js';
import type { KeyEncryptionKey } from '../dist/crypto/kms/key-encryption-key.js';
import { kekFromKey } from '../dist/crypto/kms/local.js';
import { openPkcs11Kek } from '../dist/crypto/kms/pkcs11.js';
import { openStore } from '../dist/store/database.js';
import { migrate } from '../dist/store/migrations.js';

const FIELD_OPS = Number(process.env.BENCH_CRYPTO_FIELD_OPS ?? 300_000);
const RECORDS = Number(process.env.BENCH_CRYPTO_RECORDS ?? 50_000);
const FILE_MB = Number(process.env.BENCH_CRYPTO_FILE_MB ?? 100);
const HSM_WRAPS = Number(process.env.BENCH_CRYPTO_HSM_WRAPS ?? 5_000);
const LOCAL_WRAPS = Number(process.env.BENCH_CRYPTO_LOCAL_WRAPS ?? 100_000);
const FIELD_BYTES = 100;
const DISTINCT = 1024; // distinct fields and contexts cycled through
const ROUNDS = 3; // field runs alternate with the baseline; the best round of each is kept

const perSec = (count: number, ms: number) => Math.round((count / ms) * 1000);
const mbPerSec = (bytes: number, ms: number) => Number((bytes / 1e6 / (ms / 1000)).toFixed(1));
const MiB = 1024 * 1024;

const audit: AuditSink = { record: async () => ({ index: null, id: 'bench' }) };

// ---- per field: encryptWith / decryptWith against bare AES-256-GCM ---------------------

/** The context EncryptionService binds each value to: data set, record, field (~60 bytes). */
const DATASET = 'customers-2024-q3-eu';
const fieldContext = (i: number) => Buffer.from(`langtrain/field/v1\0${DATASET}\0cust-${String(i).padStart(8, '0')}\0email`);

function fieldFigures(key: VersionKey) {
  const plaintexts = Array.from({ length: DISTINCT }, () => randomBytes(FIELD_BYTES));
  const contexts = Array.from({ length: DISTINCT }, (_, i) => fieldContext(i));
  const rawKey = Buffer.from(key.encryptionKey);
  const sealed: Buffer[] = new Array(DISTINCT);
  const raw: Array<{ iv: Buffer; body: Buffer; tag: Buffer }> = new Array(DISTINCT);

  const fieldEncrypt = (n: number) => {
    const start = performance.now();
    for (let i = 0; i < n; i += 1) sealed[i % DISTINCT] = encryptWith(key, plaintexts[i % DISTINCT]!, contexts[i % DISTINCT]!);
    return perSec(n, performance.now() - start);
  };
  const fieldDecrypt = (n: number) => {
    const start = performance.now();
    for (let i = 0; i < n; i += 1) decryptWith(key, sealed[i % DISTINCT]!, contexts[i % DISTINCT]!);
    return perSec(n, performance.now() - start);
  };
  const rawEncrypt = (n: number) => {
    const start = performance.now();
    for (let i = 0; i < n; i += 1) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', rawKey, iv, { authTagLength: 16 });
      cipher.setAAD(contexts[i % DISTINCT]!);
      const body = cipher.update(plaintexts[i % DISTINCT]!);
      cipher.final();
      raw[i % DISTINCT] = { iv, body, tag: cipher.getAuthTag() };
    }
    return perSec(n, performance.now() - start);
  };
  const rawDecrypt = (n: number) => {
    const start = performance.now();
    for (let i = 0; i < n; i += 1) {
      const { iv, body, tag } = raw[i % DISTINCT]!;
      const decipher = createDecipheriv('aes-256-gcm', rawKey, iv, { authTagLength: 16 });
      decipher.setAAD(contexts[i % DISTINCT]!);
      decipher.setAuthTag(tag);
      decipher.update(body);
      decipher.final();
    }
    return perSec(n, performance.now() - start);
  };

  // Warm-up (JIT, OpenSSL contexts), and fills the ciphertexts the decrypt loops open.
  fieldEncrypt(20_000);
  rawEncrypt(20_000);
  fieldDecrypt(20_000);
  rawDecrypt(20_000);
  for (let i = 0; i < DISTINCT; i += 1) {
    if (!decryptWith(key, sealed[i]!, contexts[i]!).equals(plaintexts[i]!)) throw new Error('field round trip failed');
  }

  const per = Math.ceil(FIELD_OPS / ROUNDS);
  const best = { fe: 0, fd: 0, re: 0, rd: 0 };
  for (let r = 0; r < ROUNDS; r += 1) {
    best.re = Math.max(best.re, rawEncrypt(per));
    best.fe = Math.max(best.fe, fieldEncrypt(per));
    best.rd = Math.max(best.rd, rawDecrypt(per));
    best.fd = Math.max(best.fd, fieldDecrypt(per));
  }
  return {
    fieldOps: per * ROUNDS,
    fieldBytes: FIELD_BYTES,
    fieldContextBytes: contexts[0]!.length,
    fieldEncryptPerSec: best.fe,
    fieldDecryptPerSec: best.fd,
    baselineRawGcmEncryptPerSec: best.re,
    baselineRawGcmDecryptPerSec: best.rd,
    fieldEncryptVsBaseline: Number((best.fe / best.re).toFixed(3)),
    fieldDecryptVsBaseline: Number((best.fd / best.rd).toFixed(3)),
  };
}

// ---- a JSONL data set through EncryptionService (scope field) --------------------------

function generateDataset(count: number): string[] {
  const lines: string[] = new Array(count);
  const countries = ['DE', 'FR', 'US', 'GB', 'JP', 'BR', 'IN', 'NL'];
  for (let i = 0; i < count; i += 1) {
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');
    lines[i] = JSON.stringify({
      id: `cust-${i}`,
      email: `user${i}.${randomBytes(3).toString('hex')}@example.com`,
      ssn: `${digits(3)}-${digits(2)}-${digits(4)}`,
      card: `4${digits(15)}`,
      country: countries[i % countries.length],
      signup: new Date(1_600_000_000_000 + i * 60_000).toISOString(),
      plan: i % 3 === 0 ? 'pro' : 'free',
      text: `support ticket ${i}: the export job failed twice before succeeding on retry`,
    });
  }
  return lines;
}

/** `transformDataset` of dist/crypto/dataset-encryption.js, when the build has it. */
type TransformDataset = (
  service: EncryptionService,
  job: { input: string; output: string; direction: 'encrypt'; dataset: string; format?: 'jsonl' },
) => Promise<{ records: number; bytes: number }>;

async function datasetModule(): Promise<TransformDataset | undefined> {
  const url = new URL('../dist/crypto/dataset-encryption.js', import.meta.url);
  if (!existsSync(url)) return undefined;
  const loaded = (await import(url.href)) as { transformDataset?: TransformDataset };
  return typeof loaded.transformDataset === 'function' ? loaded.transformDataset : undefined;
}

async function datasetFigures(keyring: Keyring, dir: string) {
  const service = new EncryptionService({ encryptionScope: 'field', key: 'datasets', fields: ['email', 'ssn', 'card'], recordIdField: 'id' }, keyring, audit);
  const lines = generateDataset(RECORDS);
  const inputBytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  const place = (id: unknown) => ({ dataset: DATASET, recordId: String(id) });
  const encryptLine = async (line: string) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    return JSON.stringify(await service.encryptRecord(record, place(record.id))) + '\n';
  };
  for (let i = 0; i < 2_000; i += 1) await encryptLine(lines[i]!); // warm-up

  // In memory: parse, encrypt, stringify per line, no I/O.
  const out: string[] = new Array(lines.length);
  let start = performance.now();
  for (let i = 0; i < lines.length; i += 1) out[i] = await encryptLine(lines[i]!);
  const memoryMs = performance.now() - start;
  // One record back, to be sure the figures are for working ciphertexts.
  if (JSON.stringify(await service.decryptRecord(JSON.parse(out[7]!), place('cust-7'))) !== lines[7]) throw new Error('data set round trip failed');
  const inMemory = {
    datasetInMemoryMBPerSec: mbPerSec(inputBytes, memoryMs),
    datasetInMemoryRecordsPerSec: perSec(RECORDS, memoryMs),
  };

  const transformDataset = await datasetModule();
  if (transformDataset === undefined) {
    return {
      datasetPath: 'in memory: JSON.parse + EncryptionService.encryptRecord (scope field; email, ssn, card) + JSON.stringify per line (dist/crypto/dataset-encryption.js not built)',
      datasetRecords: RECORDS,
      datasetInputMB: Number((inputBytes / 1e6).toFixed(2)),
      datasetMBPerSec: inMemory.datasetInMemoryMBPerSec,
      datasetRecordsPerSec: inMemory.datasetInMemoryRecordsPerSec,
    };
  }

  // End to end through the data set module: JSONL file in, JSONL file out (fsynced, renamed).
  const input = join(dir, 'customers.jsonl');
  const output = join(dir, 'customers.enc.jsonl');
  writeFileSync(input, lines.join('\n') + '\n');
  start = performance.now();
  const done = await transformDataset(service, { input, output, direction: 'encrypt', dataset: DATASET, format: 'jsonl' });
  const fileMs = performance.now() - start;
  const written = readFileSync(output, 'utf8').split('\n').filter((line) => line !== '');
  if (done.records !== RECORDS || written.length !== RECORDS) throw new Error(`data set module wrote ${written.length} of ${RECORDS} records`);
  if (JSON.stringify(await service.decryptRecord(JSON.parse(written[11]!), place('cust-11'))) !== lines[11]) throw new Error('data set module round trip failed');
  const outputBytes = statSync(output).size;
  rmSync(input);
  rmSync(output);
  return {
    datasetPath: 'file to file: transformDataset (dist/crypto/dataset-encryption.js), JSONL, scope field (email, ssn, card), output fsynced and renamed',
    datasetRecords: RECORDS,
    datasetInputMB: Number((inputBytes / 1e6).toFixed(2)),
    datasetOutputMB: Number((outputBytes / 1e6).toFixed(2)),
    datasetMBPerSec: mbPerSec(inputBytes, fileMs),
    datasetRecordsPerSec: perSec(RECORDS, fileMs),
    ...inMemory,
  };
}

// ---- data-key wrapping: PKCS#11 KEK in SoftHSM2, and the local KEK ---------------------

const wrapContext = (i: number) => Buffer.from(`langtrain/key-version/v1\0${1_000_000 + i}\0${(i % 7) + 1}`);

async function wrapFigures(kek: KeyEncryptionKey, count: number) {
  const dataKeys = Array.from({ length: 64 }, () => randomBytes(32));
  const contexts = Array.from({ length: 64 }, (_, i) => wrapContext(i));
  const wrapped: Buffer[] = new Array(64);
  for (let i = 0; i < Math.min(200, count); i += 1) wrapped[i % 64] = await kek.wrap(dataKeys[i % 64]!, contexts[i % 64]!); // warm-up
  for (let i = 0; i < 64; i += 1) wrapped[i] = await kek.wrap(dataKeys[i]!, contexts[i]!);
  let start = performance.now();
  for (let i = 0; i < count; i += 1) await kek.wrap(dataKeys[i % 64]!, contexts[i % 64]!);
  const wrapPerSec = perSec(count, performance.now() - start);
  start = performance.now();
  for (let i = 0; i < count; i += 1) await kek.unwrap(wrapped[i % 64]!, contexts[i % 64]!);
  const unwrapPerSec = perSec(count, performance.now() - start);
  if (!(await kek.unwrap(wrapped[5]!, contexts[5]!)).equals(dataKeys[5]!)) throw new Error(`unwrap with ${kek.uri} returned another key`);
  return { wrapPerSec, unwrapPerSec };
}

const SOFTHSM_MODULES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so',
];

/** A throwaway SoftHSM2 token (the setup of test/support/softhsm.ts), removed when done. */
async function hsmFigures(dir: string) {
  const modulePath = [process.env.SOFTHSM2_MODULE, ...SOFTHSM_MODULES].find((path) => path !== undefined && existsSync(path));
  if (modulePath === undefined) return { hsm: 'skipped: libsofthsm2.so not found' };
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'pipe' });
  } catch {
    return { hsm: 'skipped: softhsm2-util is not installed' };
  }
  const tokenDir = join(dir, 'softhsm-tokens');
  mkdirSync(tokenDir);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, [`directories.tokendir = ${tokenDir}`, 'objectstore.backend = file', 'log.level = ERROR', 'slots.removable = false', ''].join('\n'));
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf; // read by the library at C_Initialize
  try {
    const pin = randomBytes(8).toString('hex');
    const tokenLabel = 'langtrain-bench';
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', tokenLabel, '--pin', pin, '--so-pin', randomBytes(8).toString('hex')], {
      env: { ...process.env, SOFTHSM2_CONF: conf },
      stdio: 'pipe',
    });
    const kek = await openPkcs11Kek({ modulePath, tokenLabel, pin, keyLabel: 'bench-kek', createIfMissing: true });
    try {
      const { wrapPerSec, unwrapPerSec } = await wrapFigures(kek, HSM_WRAPS);
      return { hsm: `SoftHSM2 ${softHsmVersion()} (${modulePath}), CKM_AES_GCM, one session`, hsmWraps: HSM_WRAPS, hsmWrapPerSec: wrapPerSec, hsmUnwrapPerSec: unwrapPerSec };
    } finally {
      await kek.close();
    }
  } finally {
    if (previous === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previous;
  }
}

function softHsmVersion(): string {
  try {
    return execFileSync('softhsm2-util', ['--version'], { stdio: 'pipe' }).toString().trim();
  } catch {
    return '?';
  }
}

// ---- files: EncryptionService scope file against a streamed copy ------------------------

function writeRandomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    const chunk = randomBytes(4 * MiB);
    for (let at = 0; at < bytes; at += chunk.length) {
      randomBytes(chunk.length).copy(chunk); // fresh bytes, so nothing compresses or dedupes
      writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - at));
    }
  } finally {
    closeSync(fd);
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The same bytes read and written through streams and synced, as writeAtomically does, with no encryption. */
async function streamCopy(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createWriteStream(to, { mode: 0o600 }));
  const handle = await open(to, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fileFigures(keyring: Keyring, dir: string) {
  const service = new EncryptionService({ encryptionScope: 'file', key: 'files' }, keyring, audit);
  const plain = join(dir, 'plain.bin');
  const sealed = join(dir, 'plain.bin.ltf');
  const opened = join(dir, 'opened.bin');
  const copy = join(dir, 'copy.bin');
  const bytes = FILE_MB * 1e6;
  writeRandomFile(plain, bytes);
  await service.encryptFile(plain, join(dir, 'warm.ltf'), 'bench/plain.bin'); // creates the key, warms up
  rmSync(join(dir, 'warm.ltf'));

  let start = performance.now();
  await streamCopy(plain, copy);
  const copyMs = performance.now() - start;
  rmSync(copy);
  start = performance.now();
  await service.encryptFile(plain, sealed, 'bench/plain.bin');
  const encryptMs = performance.now() - start;
  start = performance.now();
  await service.decryptFile(sealed, opened, 'bench/plain.bin');
  const decryptMs = performance.now() - start;
  if (statSync(opened).size !== bytes || (await sha256File(opened)) !== (await sha256File(plain))) throw new Error('file round trip failed');
  const encryptedBytes = statSync(sealed).size;
  for (const path of [plain, sealed, opened]) rmSync(path, { force: true });
  return {
    fileMB: FILE_MB,
    fileEncryptedOverheadBytes: encryptedBytes - bytes,
    fileEncryptMBPerSec: mbPerSec(bytes, encryptMs),
    fileDecryptMBPerSec: mbPerSec(bytes, decryptMs),
    baselineFileCopyMBPerSec: mbPerSec(bytes, copyMs),
    baselineFileCopy: 'createReadStream -> createWriteStream, then fsync (the durability writeAtomically gives)',
  };
}

// ---- run ----------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'langtrain-bench-crypto-'));
const started = performance.now();
try {
  const store = await openStore(`sqlite:${join(dir, 'keyring.db')}`);
  const localKek = kekFromKey('bench:local-kek', randomBytes(32));
  let result: Record<string, unknown>;
  try {
    await migrate(store, 'crypto', keyringMigrations);
    const keyring = new Keyring(store, async () => localKek, audit);
    await keyring.ensureKey('datasets');
    const fields = fieldFigures(await keyring.primaryKey('datasets'));
    const dataset = await datasetFigures(keyring, dir);
    const local = await wrapFigures(localKek, LOCAL_WRAPS);
    const hsm = await hsmFigures(dir);
    const files = await fileFigures(keyring, dir);
    result = {
      area: 'crypto',
      store: 'sqlite (keyring in a temp dir), local KEK',
      ...fields,
      ...dataset,
      ...hsm,
      localKekWraps: LOCAL_WRAPS,
      localKekWrapPerSec: local.wrapPerSec,
      localKekUnwrapPerSec: local.unwrapPerSec,
      ...files,
      totalSeconds: 0,
    };
  } finally {
    await localKek.close();
    await store.close();
  }
  result.totalSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
