/**
 * Authentication primitives: API key verification (parse, checksum, keyed hash, constant-time
 * compare, lookup by id), password hashing (argon2id, OWASP parameters), beside bare SHA-256
 * of a key-sized input in the same run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { generateApiKey, hashApiKeySecret, parseApiKey, verifyApiKeySecret } from '../dist/identity/api-keys/api-key-format.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PasswordHasher } from '../dist/identity/passwords/index.js';
import { sessionMigrations } from '../dist/identity/sessions/schema.js';
import { SessionStore } from '../dist/identity/sessions/session-store.js';
import { openStore } from '../dist/store/database.js';
import { migrate } from '../dist/store/migrations.js';

const perSec = (count: number, ms: number) => Math.round((count / ms) * 1000);

// An in-process table of 10,000 keys by id, as a server caches them.
const pepper = randomBytes(32);
const keys = Array.from({ length: 10_000 }, () => generateApiKey({ environment: 'live' }));
const table = new Map(keys.map((k) => [k.id, hashApiKeySecret(pepper, k.secret)]));

function verify(key: string): boolean {
  const parsed = parseApiKey(key);
  if (!parsed) return false;
  const stored = table.get(parsed.id);
  return stored !== undefined && verifyApiKeySecret(pepper, parsed.secret, stored);
}

const N = 300_000;
for (let i = 0; i < 20_000; i += 1) verify(keys[i % keys.length]!.key); // warm-up
let start = performance.now();
let ok = 0;
for (let i = 0; i < N; i += 1) if (verify(keys[i % keys.length]!.key)) ok += 1;
const apiKeyVerifyPerSec = perSec(N, performance.now() - start);
if (ok !== N) throw new Error('bench: a valid key failed to verify');

start = performance.now();
let rejected = 0;
const corrupted = keys.map((k) => k.key.slice(0, -1) + (k.key.endsWith('x') ? 'y' : 'x'));
for (let i = 0; i < N; i += 1) if (!verify(corrupted[i % corrupted.length]!)) rejected += 1;
const apiKeyRejectPerSec = perSec(N, performance.now() - start);
if (rejected !== N) throw new Error('bench: a corrupted key verified');

const sample = Buffer.from(keys[0]!.key);
start = performance.now();
for (let i = 0; i < N; i += 1) createHash('sha256').update(sample).digest();
const baselineSha256PerSec = perSec(N, performance.now() - start);

const hasher = new PasswordHasher();
const hashes: number[] = [];
let stored = '';
for (let i = 0; i < 10; i += 1) {
  const t = performance.now();
  stored = await hasher.hash(`correct horse battery staple ${i}`);
  hashes.push(performance.now() - t);
}
const verifyStart = performance.now();
await hasher.verify(stored, 'correct horse battery staple 9');
const passwordVerifyMs = performance.now() - verifyStart;
hashes.sort((a, b) => a - b);

// Sessions: validation of live sessions in the SQLite store (lookup by id, digest compare,
// expiry checks; last-seen writes throttled to once a minute).
const dir = mkdtempSync(join(tmpdir(), 'langtrain-bench-auth-'));
const store = await openStore(`sqlite:${join(dir, 'auth.db')}`);
await migrate(store, 'sessions', sessionMigrations);
const sessions = new SessionStore({ concurrentSessions: null }, { store, audit: { record: async () => ({ index: null, id: 'bench' }) } });
const tokens: string[] = [];
for (let i = 0; i < 1000; i += 1) tokens.push((await sessions.create({ userId: `user${i}`, mfa: true })).token);
const S = 50_000;
start = performance.now();
for (let i = 0; i < S; i += 1) if (!(await sessions.validate(tokens[i % tokens.length]!))) throw new Error('bench: a live session failed to validate');
const sessionValidatePerSec = perSec(S, performance.now() - start);
await store.close();
rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  JSON.stringify({
    area: 'auth',
    apiKeyVerifyPerSec,
    apiKeyRejectPerSec,
    passwordHashMs: Number(hashes[Math.floor(hashes.length / 2)]!.toFixed(1)),
    passwordVerifyMs: Number(passwordVerifyMs.toFixed(1)),
    passwordParameters: hasher.parameters,
    baselineSha256PerSec,
    sessionValidatePerSec,
    sessionStore: 'sqlite (WAL, synchronous=FULL), 1,000 live sessions',
  }) + '\n',
);
