/**
 * Audit log throughput and verification, on the embedded SQLite default (and PostgreSQL
 * when reachable), beside baselines doing the plain work in the same run: hashing the
 * same entry bytes, and inserting the same rows into the same database without a tree.
 */
import { createHash, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
// The built package, as users run it (verification's worker threads need the compiled worker).
import { AuditLogger } from '../dist/audit/audit-logger.js';
import { serializeBody } from '../dist/audit/entry.js';

const DURABLE = Number(process.env.BENCH_AUDIT_DURABLE ?? 100_000);
const BATCHED = Number(process.env.BENCH_AUDIT_BATCHED ?? 200_000);
const CALLERS = 256;
const PROOFS = 500;

const event = (i: number) => ({
  eventType: 'user_authentication',
  userId: `user${i % 1000}@company.com`,
  result: i % 20 === 0 ? 'failure' : 'success',
  additionalData: { ip_address: '10.0.1.100', user_agent: 'Mozilla/5.0', mfa_method: 'totp' },
});

const perSec = (count: number, ms: number) => Math.round((count / ms) * 1000);

async function durableAppends(log: AuditLogger, count: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < count) await log.logEvent(event(next++)); // each append awaited on its own
    }),
  );
  return perSec(count, performance.now() - start);
}

async function batchedAppends(log: AuditLogger, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i += 1000) await log.logEvents(Array.from({ length: 1000 }, (_, j) => event(i + j)));
  return perSec(count, performance.now() - start);
}

async function measure(url: string, durable: number, batched: number) {
  const log = new AuditLogger({ storeUrl: url, checkpointEvery: 10_000 });
  await log.open();
  const appendsPerSecDurable = await durableAppends(log, durable);
  const appendsPerSecBatched = await batchedAppends(log, batched);
  await log.checkpoint();
  const entries = await log.size();
  let start = performance.now();
  const report = await log.verify();
  const verifyMs = performance.now() - start;
  if (!report.ok) throw new Error(`bench log failed verification: ${report.problem?.reason}`);
  start = performance.now();
  await log.verify({ workers: 0 });
  const verifyOneThreadMs = performance.now() - start;
  start = performance.now();
  for (let i = 0; i < PROOFS; i += 1) await log.proveInclusion(randomInt(entries));
  const inclusionProofMs = (performance.now() - start) / PROOFS;
  await log.close();
  return {
    entries,
    appendsPerSecDurable,
    appendsPerSecBatched,
    verifyEntriesPerSec: perSec(entries, verifyMs),
    verifyEntriesPerSecOneThread: perSec(entries, verifyOneThreadMs),
    inclusionProofMs: Number(inclusionProofMs.toFixed(3)),
  };
}

/** One entry's canonical bytes, as the log hashes them. */
function sampleEntryBytes() {
  const now = new Date().toISOString();
  return serializeBody({ v: 1, index: 123456, id: '0b5f3c1e-4f9a-4d55-9a43-8f1f6c2a7b10', loggedAt: now, timestamp: now, eventType: 'user_authentication', result: 'success', level: 'basic', userId: 'user1@company.com', data: event(1).additionalData });
}

/** The same entry bytes, hashed with nothing else. */
function baselineSha256(count: number): number {
  const bytes = sampleEntryBytes();
  const start = performance.now();
  for (let i = 0; i < count; i += 1) createHash('sha256').update(bytes).digest();
  return perSec(count, performance.now() - start);
}

/**
 * The same hashing on every core at once: what this machine can give verification's worker
 * threads. On a VM whose vCPUs are not free to run together this stays near the one-thread
 * figure, and no verifier can scale past it.
 */
async function baselineSha256AllCores(countPerThread: number): Promise<{ threads: number; perSec: number }> {
  const threads = availableParallelism();
  const code = `
    const { hash } = require('node:crypto');
    const { parentPort, workerData } = require('node:worker_threads');
    const bytes = Buffer.from(workerData.bytes);
    for (let i = 0; i < workerData.count; i += 1) hash('sha256', bytes, 'buffer');
    parentPort.postMessage('done');`;
  const bytes = sampleEntryBytes();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(code, { eval: true, workerData: { bytes, count: countPerThread } });
      return new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject)).finally(() => worker.terminate());
    }),
  );
  return { threads, perSec: perSec(threads * countPerThread, performance.now() - start) };
}

/** Plain inserts of rows of the same shape into a SQLite file with the same durability settings. */
function baselineInserts(dir: string, count: number) {
  const db = new SQLite(join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE plain (seq INTEGER PRIMARY KEY, id TEXT, logged_at TEXT, ts TEXT, event_type TEXT, user_key TEXT, result TEXT, body BLOB, leaf_hash BLOB)');
  const insert = db.prepare('INSERT INTO plain VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const body = Buffer.from(JSON.stringify(event(1)));
  const hash = Buffer.alloc(32);
  const row = (i: number) => [i, `id-${i}`, 'now', 'now', 'user_authentication', 'user1', 'success', body, hash];
  const single = Math.min(count, 5000);
  let start = performance.now();
  for (let i = 0; i < single; i += 1) insert.run(...row(i)); // one transaction (and fsync) each
  const baselineInsertsPerSec = perSec(single, performance.now() - start);
  const many = db.transaction((from: number, n: number) => {
    for (let i = from; i < from + n; i += 1) insert.run(...row(i));
  });
  start = performance.now();
  for (let i = single; i < single + count; i += 1000) many(i, 1000);
  const baselineBatchedInsertsPerSec = perSec(count, performance.now() - start);
  db.close();
  return { baselineInsertsPerSec, baselineBatchedInsertsPerSec };
}

async function postgresFigures() {
  const base = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_audit_${process.pid}`;
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: base });
  try {
    await admin.connect();
  } catch {
    return { skipped: 'PostgreSQL not reachable' };
  }
  try {
    return await measure(`${base}?schema=${schema}`, 20_000, 50_000);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'langtrain-bench-audit-'));
try {
  const sqlite = await measure(`sqlite:${join(dir, 'audit.db')}`, DURABLE, BATCHED);
  const result = {
    area: 'audit',
    store: 'sqlite (WAL, synchronous=FULL)',
    concurrentCallers: CALLERS,
    ...sqlite,
    baselineSha256PerSec: baselineSha256(1_000_000),
    baselineSha256AllCores: await baselineSha256AllCores(1_000_000),
    ...baselineInserts(dir, BATCHED),
    postgres: await postgresFigures(),
    peers: 'Tessera ~2,900 appends/s on one machine; Trillian on MySQL 400-500/s (published figures, not run here)',
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
