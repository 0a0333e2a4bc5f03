import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmsCodes, smsCodeMigrations, type SmsCodesOptions } from '../../../../src/identity/mfa/sms/sms-codes.js';
import { DevelopmentSmsSender, type SmsSender } from '../../../../src/identity/mfa/sms/sms-sender.js';
import { MemoryRateLimiter } from '../../../../src/identity/rate-limit/memory-rate-limiter.js';
import { openStore, type Store } from '../../../../src/store/database.js';
import { migrate } from '../../../../src/store/migrations.js';
import { storeUrls } from '../../../support/services.js';
import { RecordedEvents } from '../../../support/recorded-events.js';

const MINUTE = 60_000;
const START = Date.parse('2025-03-01T09:00:00.000Z');
const PHONE = '+447700900123';
const OTHER_PHONE = '+15555550188';
const USER = 'user-1';

describe.each(storeUrls('sms'))('SmsCodes on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let sender: DevelopmentSmsSender;
  let now: number;
  let limiter: MemoryRateLimiter;
  /** Every code sent: none may reach the audit log. */
  const codes: string[] = [];

  const sms = (options: SmsCodesOptions = {}, s: SmsSender = sender) => new SmsCodes(options, { store, audit, sender: s, rateLimiter: limiter, clock: () => new Date(now) });
  const lastCode = (to = PHONE) => {
    const code = /^(\d+) /.exec(sender.lastTo(to)!.text)![1]!;
    codes.push(code);
    return code;
  };
  const wrong = (code: string) => code.replace(/^./, (d) => String((Number(d) + 1) % 10));

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'sms_codes', smsCodeMigrations);
    audit = new RecordedEvents();
    sender = new DevelopmentSmsSender();
    now = START;
    limiter = new MemoryRateLimiter({ now: () => now });
    codes.length = 0;
  });
  afterEach(async () => {
    const text = JSON.stringify(audit.events);
    for (const phone of [PHONE, OTHER_PHONE]) {
      expect(text).not.toContain(phone);
      expect(text).not.toContain(phone.slice(1));
      expect(text).not.toContain(phone.slice(-6));
    }
    for (const c of codes) expect(text).not.toMatch(new RegExp(`(^|\\D)${c}(\\D|$)`));
    const rows = await store.db.selectFrom('identity_sms_challenges').selectAll().execute();
    for (const row of rows) expect(text).not.toContain(String(row.digest));
    await store.close();
    await cleanup();
  });

  it('sends a 6-digit code and accepts it once; stores only its digest', async () => {
    const s = sms();
    const sent = await s.send(USER, PHONE);
    if (!sent.ok) throw new Error('not sent');
    expect(sent.expiresAt.getTime()).toBe(START + 5 * MINUTE);
    const code = lastCode();
    expect(code).toMatch(/^\d{6}$/);
    expect(sender.outbox).toHaveLength(1);

    const row = await store.db.selectFrom('identity_sms_challenges').selectAll().where('id', '=', sent.challengeId).executeTakeFirstOrThrow();
    expect(row.digest).toBe(createHash('sha256').update(`${USER}:${sent.challengeId}:${code}`).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(PHONE);
    expect(row.phone_hint).toBe('***23');

    now += 4 * MINUTE;
    expect(await s.verify(sent.challengeId, code)).toEqual({ ok: true, userId: USER });
    // Single use: the same right code is refused afterwards.
    expect(await s.verify(sent.challengeId, code)).toEqual({ ok: false, reason: 'invalid' });
    expect(await s.verify('no-such-challenge', code)).toEqual({ ok: false, reason: 'invalid' });

    expect(audit.of('auth.sms_code_sent').map((e) => [e.result, e.userId, e.additionalData?.phone])).toEqual([['success', USER, '***23']]);
    expect(audit.of('auth.sms_code_verified').map((e) => [e.result, e.userId, e.additionalData?.reason ?? null])).toEqual([
      ['success', USER, null],
      ['failure', USER, 'invalid'],
      ['failure', null, 'unknown_challenge'],
    ]);
  });

  it('refuses a code once the ttl has passed', async () => {
    const s = sms({ ttl: '2m' });
    const sent = await s.send(USER, PHONE);
    if (!sent.ok) throw new Error('not sent');
    const code = lastCode();
    now += 2 * MINUTE;
    expect(await s.verify(sent.challengeId, code)).toEqual({ ok: false, reason: 'expired' });
    expect(await s.purgeExpired(new Date(now + 1))).toBe(1);
    expect(await s.verify(sent.challengeId, code)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('allows maxAttempts checks per code, then refuses even the right code', async () => {
    const s = sms({ maxAttempts: 3 });
    const sent = await s.send(USER, PHONE);
    if (!sent.ok) throw new Error('not sent');
    const code = lastCode();
    expect(await s.verify(sent.challengeId, wrong(code))).toEqual({ ok: false, reason: 'invalid' });
    expect(await s.verify(sent.challengeId, 'not digits')).toEqual({ ok: false, reason: 'invalid' });
    expect(await s.verify(sent.challengeId, wrong(code))).toEqual({ ok: false, reason: 'too_many_attempts' });
    expect(await s.verify(sent.challengeId, code)).toEqual({ ok: false, reason: 'too_many_attempts' });
    expect(audit.of('auth.sms_code_verified').map((e) => e.additionalData?.attempts)).toEqual([1, 2, 3, 3]);

    // A fresh code is unaffected.
    const again = await s.send(USER, PHONE);
    if (!again.ok) throw new Error('not sent');
    expect(await s.verify(again.challengeId, lastCode())).toEqual({ ok: true, userId: USER });
  });

  it('limits sends per user and number (3 per 10 minutes by default)', async () => {
    const s = sms();
    for (let i = 0; i < 3; i++) expect((await s.send(USER, PHONE)).ok).toBe(true);
    const refused = await s.send(USER, PHONE);
    expect(refused).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect(refused.ok === false && refused.retryAfterMs).toBeGreaterThan(0);
    expect(sender.outbox).toHaveLength(3);
    // Another number, or another user, has its own budget.
    expect((await s.send(USER, OTHER_PHONE)).ok).toBe(true);
    expect((await s.send('user-2', PHONE)).ok).toBe(true);
    // Two windows later the budget is back.
    now += 20 * MINUTE;
    expect((await s.send(USER, PHONE)).ok).toBe(true);
    for (const m of sender.outbox) codes.push(/^(\d+) /.exec(m.text)![1]!);
    const denied = audit.of('auth.sms_code_sent').filter((e) => e.result === 'denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]!.additionalData).toMatchObject({ reason: 'rate_limited', phone: '***23' });
  });

  it('deletes the challenge and audits when the gateway fails', async () => {
    const failing: SmsSender = {
      send: async () => {
        throw new Error('gateway down');
      },
    };
    await expect(sms({}, failing).send(USER, PHONE)).rejects.toThrow('gateway down');
    expect(await store.db.selectFrom('identity_sms_challenges').selectAll().execute()).toEqual([]);
    expect(audit.of('auth.sms_code_sent')[0]).toMatchObject({ result: 'failure', additionalData: { reason: 'gateway_error', phone: '***23' } });
  });

  it('checks options and arguments', async () => {
    expect(sms({ length: 8, sendRate: '5/hour' }).settings).toMatchObject({ length: 8, sendRate: { limit: 5, windowMs: 60 * MINUTE } });
    expect(sms().settings).toMatchObject({ length: 6, ttl: 5 * MINUTE, maxAttempts: 5, sendRate: { limit: 3, windowMs: 10 * MINUTE } });
    expect(() => sms({ sendRate: '0/10m' })).toThrow(/sendRate/);
    expect(() => sms({ length: 3 })).toThrow(/length/);
    expect(() => sms({ colour: 'red' } as SmsCodesOptions)).toThrow(/unknown option colour/);
    await expect(sms().send(USER, '07700900123')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(sms().send('', PHONE)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });
});
