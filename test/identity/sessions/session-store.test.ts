import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditSink } from '../../../src/core/audit-sink.js';
import { sessionMigrations } from '../../../src/identity/sessions/schema.js';
import { SessionStore, type SessionStoreOptions } from '../../../src/identity/sessions/session-store.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { openRedis, type RedisConnection } from '../../../src/store/redis.js';
import { REDIS_URL, redisPrefix, storeUrls } from '../../support/services.js';
import { RecordedEvents, manualClock } from '../../support/recorded-events.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse('2025-03-01T09:00:00.000Z');
const CLIENT = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) LangTrainTest/1.0' };

async function openMigrated(url: string): Promise<Store> {
  const store = await openStore(url);
  await migrate(store, 'sessions', sessionMigrations);
  return store;
}

function expectNoSecrets(audit: RecordedEvents, tokens: readonly string[]): void {
  const text = JSON.stringify(audit.events);
  for (const token of tokens) {
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(37)); // the secret alone
    expect(text).not.toContain(createHash('sha256').update(token).digest('hex'));
  }
}

describe.each(storeUrls('sessions'))('SessionStore on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let time: ReturnType<typeof manualClock>;
  const tokens: string[] = [];

  const sessions = (options: SessionStoreOptions = {}) =>
    new SessionStore({ sessionTimeout: '8h', idleTimeout: '30m', concurrentSessions: 1, ...options }, { store, audit, clock: time.clock });
  const create = async (s: SessionStore, userId = 'alice', mfa = true) => {
    const made = await s.create({ userId, ...CLIENT, mfa });
    tokens.push(made.token);
    return made;
  };

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openMigrated(made.url);
    audit = new RecordedEvents();
    time = manualClock(START);
    tokens.length = 0;
  });
  afterEach(async () => {
    // Whatever a test did, no event may carry a token, its secret or its digest.
    expectNoSecrets(audit, tokens);
    await store.close();
    await cleanup();
  });

  it('creates an opaque token, stores only its digest, and validates it', async () => {
    const s = sessions();
    const { token, session } = await create(s);
    expect(token).toMatch(new RegExp(`^lts_${session.id}_[A-Za-z0-9_-]{43}$`));
    expect(session).toEqual({
      id: session.id,
      userId: 'alice',
      createdAt: '2025-03-01T09:00:00.000Z',
      lastSeenAt: '2025-03-01T09:00:00.000Z',
      expiresAt: '2025-03-01T17:00:00.000Z',
      revokedAt: null,
      ...CLIENT,
      mfa: true,
    });
    const row = await store.db.selectFrom('identity_sessions').selectAll().executeTakeFirstOrThrow();
    expect(row.digest).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token.slice(37));

    expect(await s.validate(token)).toEqual({ session, expiresAt: '2025-03-01T09:30:00.000Z' });
    expect(await s.list('alice')).toEqual([session]);
    expect(await s.list('bob')).toEqual([]);
    expect(audit.events).toEqual([
      {
        eventType: 'auth.session_created',
        userId: 'alice',
        timestamp: new Date(START),
        result: 'success',
        level: 'basic',
        additionalData: { sessionId: session.id, mfa: true, expiresAt: session.expiresAt, ...CLIENT },
      },
    ]);
  });

  it('ends a session at the absolute timeout however active it is', async () => {
    const s = sessions();
    const { token, session } = await create(s);
    // A request every 20 minutes keeps it from idling out...
    for (let i = 1; i < 24; i += 1) {
      time.advance(20 * MINUTE);
      const valid = await s.validate(token);
      expect(valid, `after ${i * 20} minutes`).not.toBeNull();
      // ...and the end it reports never passes the absolute one.
      expect(Date.parse(valid!.expiresAt)).toBe(Math.min(time.at() + 30 * MINUTE, START + 8 * HOUR));
    }
    time.advance(20 * MINUTE - 1); // 8h - 1ms
    expect(await s.validate(token)).not.toBeNull();
    time.advance(1); // exactly 8h
    expect(await s.validate(token)).toBeNull();
    expect(await s.validate(token)).toBeNull();
    expect(audit.of('auth.session_expired')).toEqual([
      expect.objectContaining({ userId: 'alice', result: 'success', additionalData: expect.objectContaining({ sessionId: session.id, reason: 'absolute', ...CLIENT }) }),
    ]);
    expect(await store.db.selectFrom('identity_sessions').selectAll().execute()).toEqual([]);
  });

  it('ends a session after idleTimeout without requests; requests keep it alive', async () => {
    const s = sessions();
    const { token, session } = await create(s);
    time.advance(29 * MINUTE);
    expect(await s.validate(token)).not.toBeNull();
    time.advance(29 * MINUTE); // 58 minutes in, 29 since the last request
    const valid = await s.validate(token);
    expect(valid?.session.lastSeenAt).toBe(new Date(START + 58 * MINUTE).toISOString());
    expect(valid?.expiresAt).toBe(new Date(START + 88 * MINUTE).toISOString());
    time.advance(30 * MINUTE);
    expect(await s.validate(token)).toBeNull();
    expect(audit.of('auth.session_expired').map((e) => e.additionalData)).toEqual([
      expect.objectContaining({ sessionId: session.id, reason: 'idle', lastSeenAt: new Date(START + 58 * MINUTE).toISOString() }),
    ]);
    expect(await s.list('alice')).toEqual([]);
  });

  it('writes last_seen_at at most once a minute, so idling out may come up to a minute early', async () => {
    const s = sessions();
    expect(s.touchIntervalMs).toBe(MINUTE);
    const { token } = await create(s);
    const lastSeen = async () => (await store.db.selectFrom('identity_sessions').select('last_seen_at').executeTakeFirstOrThrow()).last_seen_at;
    time.advance(59_999);
    expect((await s.validate(token))?.expiresAt).toBe(new Date(START + 30 * MINUTE).toISOString());
    expect(await lastSeen()).toBe(new Date(START).toISOString());
    time.advance(1);
    await s.validate(token);
    expect(await lastSeen()).toBe(new Date(START + MINUTE).toISOString());
    // A request 30s after the last write is not recorded: the idle end counts from the write.
    time.advance(30_000);
    await s.validate(token);
    time.advance(30 * MINUTE - 30_000);
    expect(await s.validate(token)).toBeNull();
    // A short idleTimeout shortens the interval to a tenth of it.
    expect(sessions({ sessionTimeout: '10m', idleTimeout: '5m' }).touchIntervalMs).toBe(30_000);
  });

  it('refuses a new session at the limit under refuse_new, until one ends', async () => {
    const s = sessions({ onLimit: 'refuse_new' });
    const first = await create(s);
    await expect(s.create({ userId: 'alice', ip: '198.51.100.9', userAgent: 'other-browser', mfa: false })).rejects.toMatchObject({
      code: 'ERR_SESSION_LIMIT',
      details: { limit: 1, live: 1 },
    });
    expect(audit.of('auth.session_refused')).toEqual([
      expect.objectContaining({
        userId: 'alice',
        result: 'denied',
        additionalData: { reason: 'session_limit', limit: 1, live: 1, mfa: false, ip: '198.51.100.9', userAgent: 'other-browser' },
      }),
    ]);
    expect(await s.validate(first.token)).not.toBeNull();
    await create(s, 'bob'); // the limit is per user
    // Once the first idles out, a new sign-in takes its place and the expiry is recorded.
    time.advance(30 * MINUTE);
    const second = await create(s);
    expect(audit.of('auth.session_expired').map((e) => e.additionalData?.sessionId)).toEqual([first.session.id]);
    expect((await s.list('alice')).map((x) => x.id)).toEqual([second.session.id]);
    // After sign-out there is room again.
    expect(await s.revoke(second.session.id)).toBe(true);
    await create(s);
  });

  it('ends the oldest sessions at the limit under end_oldest', async () => {
    const s = sessions({ concurrentSessions: 2, onLimit: 'end_oldest' });
    const one = await create(s);
    time.advance(1000);
    const two = await create(s);
    time.advance(1000);
    const three = await create(s);
    expect(await s.validate(one.token)).toBeNull();
    expect(await s.validate(two.token)).not.toBeNull();
    expect(await s.validate(three.token)).not.toBeNull();
    expect((await s.list('alice')).map((x) => x.id)).toEqual([two.session.id, three.session.id]);
    expect(audit.events.map((e) => `${e.eventType}:${e.additionalData?.sessionId}`)).toEqual([
      `auth.session_created:${one.session.id}`,
      `auth.session_created:${two.session.id}`,
      `auth.session_revoked:${one.session.id}`,
      `auth.session_created:${three.session.id}`,
    ]);
    expect(audit.of('auth.session_revoked')[0]?.additionalData).toMatchObject({ reason: 'session_limit', ...CLIENT });
  });

  it('lets only one of many concurrent sign-ins take the last place', async () => {
    const s = sessions();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => create(s)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_SESSION_LIMIT' });
    expect(await s.list('alice')).toHaveLength(1);
  });

  it('has no limit with concurrentSessions: null', async () => {
    const s = sessions({ concurrentSessions: null });
    for (let i = 0; i < 4; i += 1) await create(s);
    expect(await s.list('alice')).toHaveLength(4);
  });

  it('revokes one session, and all of a user', async () => {
    const s = sessions({ concurrentSessions: null });
    const a1 = await create(s);
    const a2 = await create(s);
    const a3 = await create(s);
    const b1 = await create(s, 'bob');
    expect(await s.revoke(a1.session.id)).toBe(true);
    expect(await s.validate(a1.token)).toBeNull();
    expect(await s.revoke(a1.session.id)).toBe(false);
    expect(await s.revoke('0'.repeat(32))).toBe(false);
    expect(await s.validate(a2.token)).not.toBeNull();

    expect(await s.revokeAllForUser('alice')).toBe(2);
    expect(await s.validate(a2.token)).toBeNull();
    expect(await s.validate(a3.token)).toBeNull();
    expect(await s.list('alice')).toEqual([]);
    expect(await s.validate(b1.token)).not.toBeNull();
    expect(await s.revokeAllForUser('alice')).toBe(0);

    const revoked = audit.of('auth.session_revoked');
    expect(revoked[0]?.additionalData).toMatchObject({ sessionId: a1.session.id, reason: 'revoked' });
    expect(revoked.slice(1).map((e) => [e.additionalData?.sessionId, e.additionalData?.reason])).toEqual(
      expect.arrayContaining([a2, a3].map((x) => [x.session.id, 'revoked_all'])),
    );
    expect(revoked).toHaveLength(3);
    for (const e of revoked) expect(e).toMatchObject({ userId: 'alice', additionalData: CLIENT });

    await expect(s.revoke('not-a-session-id')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('refuses forged tokens, tampered secrets and unknown ids', async () => {
    const s = sessions();
    const { token, session } = await create(s);
    const secret = token.slice(37);
    const flipped = secret[0] === 'A' ? 'B' + secret.slice(1) : 'A' + secret.slice(1);
    const other = `lts_${'f'.repeat(32)}_${secret}`;
    for (const forged of [`lts_${session.id}_${flipped}`, other, token.slice(0, -1), token + 'x', `lts_${session.id}`, '', 'Bearer ' + token]) {
      expect(await s.validate(forged), forged).toBeNull();
    }
    expect(await s.validate(undefined as unknown as string)).toBeNull();
    // Only the wrong secret under a real id is worth recording: it names a user.
    expect(audit.of('auth.session_rejected')).toEqual([
      expect.objectContaining({ userId: 'alice', result: 'failure', additionalData: { sessionId: session.id, reason: 'secret_mismatch', ...CLIENT } }),
    ]);
    tokens.push(`lts_${session.id}_${flipped}`);
    // The genuine token still works.
    expect(await s.validate(token)).not.toBeNull();
  });

  it('does not keep a session whose creation could not be recorded', async () => {
    const failing: AuditSink = {
      record: async (event) => {
        if (event.eventType === 'auth.session_created') throw new Error('audit log unavailable');
        return audit.record(event);
      },
    };
    const s = new SessionStore({}, { store, audit: failing, clock: time.clock });
    await expect(s.create({ userId: 'alice', mfa: true })).rejects.toThrow('audit log unavailable');
    expect(await store.db.selectFrom('identity_sessions').selectAll().execute()).toEqual([]);
    // So it holds no place in the limit.
    tokens.push((await create(sessions())).token);
  });

  it('checks its inputs', async () => {
    const s = sessions();
    await expect(s.create({ userId: '', mfa: true })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(s.create({ userId: 'alice' } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(s.create({ userId: 'alice', ip: 'x'.repeat(101), mfa: true })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    const long = await s.create({ userId: 'alice', userAgent: 'u'.repeat(5000), mfa: false });
    expect(long.session.userAgent).toHaveLength(512);
    expect(long.session.ip).toBeNull();
    tokens.push(long.token);
  });

  it('refuses an unknown key in create, naming the supported ones, and starts no session', async () => {
    const s = sessions();
    await expect(s.create({ userId: 'alice', mfa: true, user_agent: 'curl/8' } as never)).rejects.toMatchObject({
      code: 'ERR_CONFIG_UNSUPPORTED_OPTION',
      message: 'SessionStore.create: unknown option user_agent (supported: userId, ip, userAgent, mfa)',
    });
    expect(await s.list('alice')).toEqual([]);
    expect(audit.of('auth.session_created')).toEqual([]);
  });
});

describe.each(storeUrls('sessions-redis'))('SessionStore with Redis, two instances on $dialect', ({ make }) => {
  let storeA: Store;
  let storeB: Store;
  let redisA: RedisConnection;
  let redisB: RedisConnection;
  let raw: Redis;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let time: ReturnType<typeof manualClock>;
  let a: SessionStore;
  let b: SessionStore;

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    storeA = await openMigrated(made.url);
    storeB = await openStore(made.url);
    prefix = redisPrefix('sessions');
    redisA = await openRedis(REDIS_URL, prefix);
    redisB = await openRedis(REDIS_URL, prefix);
    raw = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await raw.connect();
    audit = new RecordedEvents();
    time = manualClock(START);
    const options = { sessionTimeout: '8h', idleTimeout: '30m', concurrentSessions: null } as const;
    a = new SessionStore(options, { store: storeA, audit, clock: time.clock, redis: redisA });
    b = new SessionStore(options, { store: storeB, audit, clock: time.clock, redis: redisB });
  });
  afterEach(async () => {
    await redisA.close();
    await redisB.close();
    const left = await raw.keys(`${prefix}*`);
    if (left.length > 0) await raw.del(...left);
    await raw.quit();
    await storeA.close();
    await storeB.close();
    await cleanup();
  });

  it('a revocation on one instance is refused on the other at once, for the remaining lifetime', async () => {
    const { token, session } = await a.create({ userId: 'alice', ...CLIENT, mfa: true });
    expect(await b.validate(token)).not.toBeNull();
    for (let i = 0; i < 3; i += 1) {
      time.advance(20 * MINUTE);
      expect(await b.validate(token)).not.toBeNull();
    }
    expect(await a.revoke(session.id)).toBe(true);
    expect(await b.validate(token)).toBeNull();
    const ttl = await raw.pttl(`${prefix}sessions:revoked:${session.id}`);
    expect(ttl).toBeGreaterThan(7 * HOUR - 10_000);
    expect(ttl).toBeLessThanOrEqual(7 * HOUR);
    expectNoSecrets(audit, [token]);
  });

  it('checks Redis before the database, so a revocation not yet visible there still counts', async () => {
    const { token, session } = await a.create({ userId: 'alice', ...CLIENT, mfa: true });
    const other = await a.create({ userId: 'alice', ...CLIENT, mfa: true });
    // As if B's database view (replica, cache) lagged behind: the row is still live there.
    await redisA.client.set(`sessions:revoked:${session.id}`, '1', 'PX', 60_000);
    expect(await b.validate(token)).toBeNull();
    expect((await storeB.db.selectFrom('identity_sessions').select('revoked_at').where('id', '=', session.id).executeTakeFirstOrThrow()).revoked_at).toBeNull();
    expect(await b.validate(other.token)).not.toBeNull();
  });

  it('publishes every session of revokeAllForUser', async () => {
    const made = [];
    for (let i = 0; i < 3; i += 1) made.push(await a.create({ userId: 'alice', mfa: false }));
    const bob = await a.create({ userId: 'bob', mfa: false });
    expect(await b.revokeAllForUser('alice')).toBe(3);
    for (const m of made) {
      expect(await raw.exists(`${prefix}sessions:revoked:${m.session.id}`)).toBe(1);
      expect(await a.validate(m.token)).toBeNull();
    }
    expect(await a.validate(bob.token)).not.toBeNull();
  });
});

describe('SessionStore options', () => {
  const deps = { store: { db: {} } as unknown as Store, audit: new RecordedEvents() };
  const refusal = (options: unknown) => {
    try {
      new SessionStore(options as SessionStoreOptions, deps);
    } catch (err) {
      return err as { code: string; message: string };
    }
    throw new Error('accepted');
  };

  it('defaults to the seed: 8h, 30m, one session, refuse_new', () => {
    const s = new SessionStore({}, deps);
    expect([s.sessionTimeoutMs, s.idleTimeoutMs, s.concurrentSessions, s.onLimit]).toEqual([8 * HOUR, 30 * MINUTE, 1, 'refuse_new']);
    const t = new SessionStore({ sessionTimeout: 3_600_000, idleTimeout: '15m', concurrentSessions: 3, onLimit: 'end_oldest' }, deps);
    expect([t.sessionTimeoutMs, t.idleTimeoutMs, t.concurrentSessions, t.onLimit]).toEqual([HOUR, 15 * MINUTE, 3, 'end_oldest']);
  });

  it('refuses an unsupported onLimit, naming the supported values', () => {
    const err = refusal({ onLimit: 'queue' });
    expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(err.message).toContain('onLimit');
    expect(err.message).toContain('refuse_new');
    expect(err.message).toContain('end_oldest');
  });

  it('refuses an onLimit given with concurrentSessions: null, where no limit ever applies it', () => {
    for (const onLimit of ['refuse_new', 'end_oldest'] as const) {
      const err = refusal({ concurrentSessions: null, onLimit });
      expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
      expect(err.message).toMatch(/^SessionStore: onLimit has no effect with concurrentSessions: null \(no limit\)/);
    }
    expect(new SessionStore({ concurrentSessions: null }, deps).concurrentSessions).toBeNull();
  });

  it('refuses concurrentSessions below one or fractional', () => {
    for (const value of [0, -1, 1.5, '1']) {
      const err = refusal({ concurrentSessions: value });
      expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
      expect(err.message).toContain('concurrentSessions');
    }
  });

  it('refuses bad durations, unknown options and an idle timeout longer than the session', () => {
    expect(refusal({ sessionTimeout: '8 hours' }).message).toContain('sessionTimeout');
    expect(refusal({ idleTimeout: '0m' }).code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    const unknown = refusal({ maxSessions: 2 });
    expect(unknown.message).toContain('maxSessions');
    expect(unknown.message).toContain('concurrentSessions');
    expect(refusal({ sessionTimeout: '1h', idleTimeout: '2h' }).message).toContain('idleTimeout');
    // A number is milliseconds: 8 was meant as hours. The message names the option the caller wrote, as written.
    const short = refusal({ sessionTimeout: 8 });
    expect(short.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(short.message).toMatch(/^SessionStore: sessionTimeout 8 \(milliseconds: a number is read as milliseconds.*"8h".*\) is shorter than the default idleTimeout "30m"/);
    expect(refusal({ idleTimeout: '9h' }).message).toMatch(/^SessionStore: idleTimeout "9h" is longer than the default sessionTimeout "8h"/);
    expect(() => new SessionStore({}, { store: deps.store } as never)).toThrow(/audit sink/);
  });
});
