import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../../src/core/errors.js';
import { generateApiKey, parseApiKey } from '../../../src/identity/api-keys/api-key-format.js';
import { base62Fixed } from '../../../src/identity/api-keys/base62.js';
import { crc32Ascii } from '../../../src/identity/api-keys/crc32.js';
import { apiKeyMigrations } from '../../../src/identity/api-keys/api-key-schema.js';
import { ApiKeyStore, rotationLeadMs, type ApiKeyStoreOptions, type CreateApiKeyInput } from '../../../src/identity/api-keys/api-key-store.js';
import { MemoryRateLimiter } from '../../../src/identity/rate-limit/memory-rate-limiter.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { storeUrls } from '../../support/services.js';
import { RecordedEvents, manualClock } from '../../support/recorded-events.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2025-03-01T09:00:00.000Z');
const PEPPER = randomBytes(32);
const SEED: CreateApiKeyInput = { userId: 'user123', permissions: ['models.inference'], expiryDays: 30, autoRotate: true, rateLimit: '1000/hour', environment: 'live' };

async function expectClaimRefused(promise: Promise<unknown>, reason: string): Promise<void> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isLangtrainError(err, 'ERR_API_KEY_CLAIM_REFUSED'), String(err)).toBe(true);
  expect((err as { details: { reason: string } }).details.reason).toBe(reason);
}

describe.each(storeUrls('api_keys'))('ApiKeyStore on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let time: ReturnType<typeof manualClock>;
  const keys: string[] = [];

  const apiKeys = (options: Partial<ApiKeyStoreOptions> = {}, rateLimiter?: MemoryRateLimiter) =>
    new ApiKeyStore({ pepper: PEPPER, rotationGrace: '24h', ...options }, { store, audit, clock: time.clock, ...(rateLimiter ? { rateLimiter } : {}) });
  const create = async (s: ApiKeyStore, input: Partial<CreateApiKeyInput> = {}) => {
    const made = await s.create({ ...SEED, ...input });
    keys.push(made.key);
    return made;
  };

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'api_keys', apiKeyMigrations);
    audit = new RecordedEvents();
    time = manualClock(START);
    keys.length = 0;
  });
  afterEach(async () => {
    // Whatever a test did, no event may carry a key, its secret or its stored hash.
    const text = JSON.stringify(audit.events);
    const hashes = (await store.db.selectFrom('identity_api_keys').select('secret_hash').execute()).map((r) => String(r.secret_hash));
    for (const key of keys) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(parseApiKey(key)!.secret);
    }
    for (const hash of hashes) expect(text).not.toContain(hash);
    await store.close();
    await cleanup();
  });

  it("issues the seed's key, stores only its keyed hash, and verifies it", async () => {
    const s = apiKeys();
    const { key, id, expiresAt } = await create(s, { name: 'inference bot' });
    expect(parseApiKey(key)).toMatchObject({ environment: 'live', id });
    expect(expiresAt).toBe(new Date(START + 30 * DAY).toISOString());
    const row = await store.db.selectFrom('identity_api_keys').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(parseApiKey(key)!.secret);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.sealed_key).toBeNull();

    expect(await s.verify(key, { permission: 'models.inference' })).toEqual({ ok: true, id, userId: 'user123', permissions: ['models.inference'] });
    expect(await s.verify(key)).toMatchObject({ ok: true, id });
    expect(await s.list('user123')).toEqual([
      expect.objectContaining({ id, userId: 'user123', name: 'inference bot', permissions: ['models.inference'], rateLimit: '1000/hour', autoRotate: true, status: 'active', successorPending: false }),
    ]);
    expect(JSON.stringify(await s.list('user123'))).not.toContain(String(row.secret_hash));
    expect(await s.list('someone-else')).toEqual([]);
    expect(audit.events).toEqual([
      {
        eventType: 'auth.api_key_created',
        userId: 'user123',
        timestamp: new Date(START),
        result: 'success',
        level: 'basic',
        additionalData: { keyId: id, environment: 'live', name: 'inference bot', permissions: ['models.inference'], rateLimit: '1000/hour', autoRotate: true, expiresAt },
      },
    ]);
  });

  it('honours exact, resource.* and * grants, and refuses others as forbidden', async () => {
    const s = apiKeys();
    const exact = await create(s);
    const models = await create(s, { permissions: ['models.*', 'datasets.read'] });
    const all = await create(s, { permissions: ['*'] });
    expect(await s.verify(exact.key, { permission: 'models.inference' })).toMatchObject({ ok: true });
    expect(await s.verify(exact.key, { permission: 'models.train' })).toEqual({ ok: false, reason: 'forbidden' });
    expect(await s.verify(models.key, { permission: 'models.train' })).toMatchObject({ ok: true });
    expect(await s.verify(models.key, { permission: 'datasets.read' })).toMatchObject({ ok: true });
    expect(await s.verify(models.key, { permission: 'datasets.write' })).toEqual({ ok: false, reason: 'forbidden' });
    expect(await s.verify(models.key, { permission: 'modelsx.train' })).toEqual({ ok: false, reason: 'forbidden' });
    expect(await s.verify(all.key, { permission: 'anything.goes' })).toMatchObject({ ok: true });
    expect(audit.of('auth.api_key_refused').map((e) => e.additionalData)).toEqual([
      { keyId: exact.id, reason: 'forbidden', permission: 'models.train' },
      { keyId: models.id, reason: 'forbidden', permission: 'datasets.write' },
      { keyId: models.id, reason: 'forbidden', permission: 'modelsx.train' },
    ]);
    // A wildcard is a grant, never a request; malformed grants are refused at creation.
    await expect(s.verify(all.key, { permission: 'models.*' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    for (const permissions of [[], ['models'], ['Models.read'], ['models.read.extra'], ['*.read'], [''], [42]] as unknown[]) {
      await expect(s.create({ ...SEED, permissions: permissions as string[] })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    }
  });

  it('refuses malformed, unknown, wrong-secret, revoked and expired keys with the reason', async () => {
    const s = apiKeys();
    const { key, id } = await create(s, { expiryDays: 1 });
    expect(await s.verify('lt_live_nonsense')).toEqual({ ok: false, reason: 'malformed' });
    const typo = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    expect(await s.verify(typo)).toEqual({ ok: false, reason: 'malformed' });
    const other = generateApiKey({ environment: 'live' });
    expect(await s.verify(other.key)).toEqual({ ok: false, reason: 'unknown' });
    // A real id with a fresh secret and a valid checksum: still 'unknown' to the caller.
    const body = `lt_live_${id}_${generateApiKey({ environment: 'live' }).secret}`;
    const forgedKey = `${body}_${base62Fixed(crc32Ascii(body), 6)}`;
    expect(await s.verify(forgedKey)).toEqual({ ok: false, reason: 'unknown' });
    expect(audit.of('auth.api_key_refused')).toContainEqual(expect.objectContaining({ userId: 'user123', level: 'basic', additionalData: { keyId: id, reason: 'unknown', detail: 'secret_mismatch' } }));
    expect(audit.of('auth.api_key_refused')).toContainEqual(expect.objectContaining({ userId: null, level: 'detailed', additionalData: { keyId: other.id, reason: 'unknown' } }));

    time.advance(DAY - 1);
    expect(await s.verify(key)).toMatchObject({ ok: true });
    time.advance(1);
    expect(await s.verify(key)).toEqual({ ok: false, reason: 'expired' });

    const second = await create(s);
    expect(await s.revoke(second.id)).toBe(true);
    expect(await s.revoke(second.id)).toBe(false);
    expect(await s.verify(second.key)).toEqual({ ok: false, reason: 'revoked' });
    expect(audit.of('auth.api_key_revoked')).toContainEqual(expect.objectContaining({ userId: 'user123', additionalData: { keyId: second.id, reason: 'revoked' } }));
    expect((await s.list('user123')).find((k) => k.id === id)?.status).toBe('expired');
    await expect(s.revoke('not-an-id')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('keeps a rotated key working until the grace ends, then refuses it as rotated_out', async () => {
    const s = apiKeys();
    const old = await create(s);
    time.advance(HOUR);
    const next = await s.rotate(old.id);
    keys.push(next.key);
    expect(next.id).not.toBe(old.id);
    expect(next.expiresAt).toBe(new Date(START + HOUR + 30 * DAY).toISOString());
    expect(await s.verify(next.key, { permission: 'models.inference' })).toMatchObject({ ok: true, id: next.id, userId: 'user123', permissions: ['models.inference'] });
    time.advance(24 * HOUR - 1);
    expect(await s.verify(old.key)).toMatchObject({ ok: true, id: old.id });
    expect((await s.list('user123')).map((k) => [k.id, k.status])).toEqual([
      [old.id, 'rotating'],
      [next.id, 'active'],
    ]);
    time.advance(1);
    expect(await s.verify(old.key)).toEqual({ ok: false, reason: 'rotated_out' });
    expect(await s.verify(next.key)).toMatchObject({ ok: true });
    const successor = (await s.list('user123')).find((k) => k.id === next.id)!;
    expect(successor).toMatchObject({ rotatedFrom: old.id, rateLimit: '1000/hour', autoRotate: true, successorPending: false });
    // Rotated keys cannot be rotated again, and unknown ids are named.
    await expect(s.rotate(old.id)).rejects.toMatchObject({ code: 'ERR_API_KEY_INACTIVE' });
    await expect(s.rotate('AAAAAAAAAAAA')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    // The manually rotated successor was handed out by rotate: there is nothing to claim.
    expect(audit.of('auth.api_key_rotated')).toEqual([
      expect.objectContaining({ userId: 'user123', additionalData: { keyId: old.id, successorId: next.id, trigger: 'manual', successorExpiresAt: next.expiresAt } }),
    ]);
  });

  it('auto-rotates keys near expiry; the holder claims the successor exactly once', async () => {
    const s = apiKeys();
    const auto = await create(s); // 30 days: lead = min(7d, 6d) = 6 days
    const manual = await create(s, { autoRotate: false });
    const short = await create(s, { expiryDays: 1 }); // lead = 20% of a day
    expect(rotationLeadMs({ createdAt: new Date(START).toISOString(), expiresAt: auto.expiresAt })).toBe(6 * DAY);

    await expectClaimRefused(s.claimSuccessor(auto.key), 'no_successor');
    time.advance(DAY - Math.floor(0.2 * DAY) - 1);
    expect(await s.rotateDue()).toEqual([]);
    time.advance(1);
    const first = await s.rotateDue();
    expect(first.map((r) => r.id)).toEqual([short.id]);

    time.advance(24 * DAY - (DAY - Math.floor(0.2 * DAY))); // exactly 6 days before the 30-day expiry
    const due = await s.rotateDue();
    expect(due.map((r) => r.id)).toEqual([auto.id]);
    expect(await s.rotateDue()).toEqual([]); // not twice
    const successorId = due[0]!.successorId;
    const row = await store.db.selectFrom('identity_api_keys').selectAll().where('id', '=', successorId).executeTakeFirstOrThrow();
    expect(String(row.sealed_key)).toMatch(/^v1\./);

    // Until claimed, the old key keeps its own term.
    time.advance(3 * DAY);
    expect(await s.verify(auto.key)).toMatchObject({ ok: true });
    const claimed = await s.claimSuccessor(auto.key);
    keys.push(claimed.key);
    expect(claimed.id).toBe(successorId);
    expect(parseApiKey(claimed.key)?.id).toBe(successorId);
    expect(await s.verify(claimed.key, { permission: 'models.inference' })).toMatchObject({ ok: true, id: successorId });
    expect((await store.db.selectFrom('identity_api_keys').select('sealed_key').where('id', '=', successorId).executeTakeFirstOrThrow()).sealed_key).toBeNull();
    await expectClaimRefused(s.claimSuccessor(auto.key), 'already_claimed');
    await expectClaimRefused(s.claimSuccessor('junk'), 'malformed');
    await expectClaimRefused(s.claimSuccessor(manual.key), 'no_successor');

    // After the claim, the old key has rotationGrace left.
    time.advance(24 * HOUR - 1);
    expect(await s.verify(auto.key)).toMatchObject({ ok: true });
    time.advance(1);
    expect(await s.verify(auto.key)).toEqual({ ok: false, reason: 'rotated_out' });
    await expectClaimRefused(s.claimSuccessor(auto.key), 'rotated_out');
    expect(audit.of('auth.api_key_successor_claimed')).toEqual([expect.objectContaining({ userId: 'user123', additionalData: expect.objectContaining({ keyId: auto.id, successorId }) })]);
    expect(audit.of('auth.api_key_claim_refused').map((e) => e.additionalData?.reason)).toEqual(['no_successor', 'already_claimed', 'no_successor', 'rotated_out']);
  });

  it('revoking a key also revokes its unclaimed successor', async () => {
    const s = apiKeys();
    const auto = await create(s, { expiryDays: 10 });
    time.advance(8 * DAY);
    const [due] = await s.rotateDue();
    expect(await s.revoke(auto.id)).toBe(true);
    await expectClaimRefused(s.claimSuccessor(auto.key), 'revoked');
    expect((await s.list('user123')).map((k) => [k.id, k.status, k.successorPending])).toEqual([
      [auto.id, 'revoked', false],
      [due!.successorId, 'revoked', false],
    ]);
  });

  it("enforces each key's rate with the limiter: 3/minute, the 4th is refused with retryAfterMs", async () => {
    const limiter = new MemoryRateLimiter({ now: () => time.at() });
    const s = apiKeys({}, limiter);
    const limited = await create(s, { rateLimit: '3/minute' });
    const unlimited = await create(s, { rateLimit: null });
    expect(await s.verify(limited.key, { permission: 'models.train' })).toEqual({ ok: false, reason: 'forbidden' });
    for (let i = 0; i < 3; i += 1) {
      const v = await s.verify(limited.key, { permission: 'models.inference' });
      expect(v).toMatchObject({ ok: true, rateLimit: { allowed: true, remaining: 2 - i } });
    }
    const refused = await s.verify(limited.key);
    expect(refused).toMatchObject({ ok: false, reason: 'rate_limited', rateLimit: { limit: 3, remaining: 0, allowed: false } });
    expect(refused.ok === false && refused.reason === 'rate_limited' && refused.retryAfterMs).toBeGreaterThan(0);
    // The forbidden request used no budget; other keys are not affected.
    expect(await s.verify(unlimited.key)).toEqual({ ok: true, id: unlimited.id, userId: 'user123', permissions: ['models.inference'] });
    expect(audit.of('auth.api_key_refused')).toEqual([
      expect.objectContaining({ level: 'basic', additionalData: expect.objectContaining({ keyId: limited.id, reason: 'forbidden' }) }),
      expect.objectContaining({ level: 'detailed', additionalData: expect.objectContaining({ keyId: limited.id, reason: 'rate_limited' }) }),
    ]);
    time.advance(2 * 60_000);
    expect(await s.verify(limited.key)).toMatchObject({ ok: true });
    await expect(s.create({ ...SEED, rateLimit: 'lots' })).rejects.toMatchObject({ code: 'ERR_INVALID_UNIT' });
  });

  it('checks its options and inputs at the door', async () => {
    expect(() => apiKeys({ pepper: randomBytes(16) })).toThrow(/pepper/);
    expect(() => apiKeys({ rotationGrace: 'soon' })).toThrow(/rotationGrace/);
    const s = apiKeys();
    await expect(s.create({ ...SEED, expiryDays: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(s.create({ ...SEED, environment: 'prod' as 'live' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(s.create({ ...SEED, userId: '' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('refuses an unknown key in any method argument, naming the supported ones, before anything is stored', async () => {
    const s = apiKeys();
    const unsupported = (message: RegExp) => ({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(message) });
    await expect(s.create({ ...SEED, expiry_days: 5 } as CreateApiKeyInput)).rejects.toMatchObject(
      unsupported(/^ApiKeyStore\.create: unknown option expiry_days \(supported: userId, permissions, expiryDays, autoRotate, rateLimit, environment, name, client\)$/),
    );
    await expect(s.create({ ...SEED, client: { ipAddress: '203.0.113.7' } } as CreateApiKeyInput)).rejects.toMatchObject(unsupported(/client: unknown key ipAddress \(supported: ip, userAgent\)/));
    expect(await s.list(SEED.userId)).toEqual([]);

    const { key, id } = await create(s);
    // `permissions` for `permission` would otherwise check no permission at all.
    await expect(s.verify(key, { permissions: 'models.train' } as never)).rejects.toMatchObject(unsupported(/^ApiKeyStore\.verify: unknown option permissions \(supported: permission, client\)$/));
    await expect(s.verify(key, { client: { user_agent: 'x' } } as never)).rejects.toMatchObject(unsupported(/client: unknown key user_agent/));
    const client = { ipAddress: '203.0.113.7' } as never;
    await expect(s.rotate(id, client)).rejects.toMatchObject(unsupported(/^ApiKeyStore\.rotate client: unknown option ipAddress \(supported: ip, userAgent\)$/));
    const claim = (await s.claimSuccessor(key, client).catch((err: unknown) => err)) as Error;
    expect(claim).toMatchObject(unsupported(/^ApiKeyStore\.claimSuccessor client: unknown option ipAddress/));
    expect(claim.message).not.toContain(parseApiKey(key)!.secret);
    await expect(s.revoke(id, client)).rejects.toMatchObject(unsupported(/^ApiKeyStore\.revoke client: unknown option ipAddress/));
    // Nothing was rotated or revoked.
    expect((await s.list(SEED.userId)).map((k) => k.status)).toEqual(['active']);
    expect(await s.verify(key, { permission: 'models.inference', client: { ip: '203.0.113.7', userAgent: null } })).toMatchObject({ ok: true });
  });
});
