import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LangtrainError } from '../../../src/core/errors.js';
import { ConsentManager, validConsents, type ConsentEvent } from '../../../src/privacy/consent/consent-manager.js';
import { actorRef } from '../../../src/privacy/consent/actor-reference.js';
import { CONSENT_ACTOR_KEYS_TABLE, consentMigrations } from '../../../src/privacy/consent/schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { storeUrls } from '../../support/services.js';
import { RecordedEvents, manualClock } from '../../support/recorded-events.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2025-03-01T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(storeUrls('consent'))('ConsentManager on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let time: ReturnType<typeof manualClock>;
  let consent: ConsentManager;

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'consent', consentMigrations);
    audit = new RecordedEvents();
    time = manualClock(START);
    consent = new ConsentManager({ store, audit, clock: time.clock });
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('answers per data type and, when asked, per purpose', async () => {
    await consent.recordConsent({ userId: 'alice', dataTypes: ['chat_transcripts'], purposes: ['model_training'] });
    expect(await consent.hasValidConsent('alice', 'chat_transcripts', 'model_training')).toBe(true);
    expect(await consent.hasValidConsent('alice', 'chat_transcripts')).toBe(true);
    expect(await consent.hasValidConsent('alice', 'chat_transcripts', 'analytics')).toBe(false);
    expect(await consent.hasValidConsent('alice', 'email')).toBe(false);
    expect(await consent.hasValidConsent('bob', 'chat_transcripts')).toBe(false);
  });

  it('ends a consent exactly at its expiry date', async () => {
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'], expiryDate: iso(START + HOUR) });
    time.advance(HOUR - 1);
    expect(await consent.hasValidConsent('alice', 'email', 'support')).toBe(true);
    time.advance(1);
    expect(await consent.hasValidConsent('alice', 'email', 'support')).toBe(false);
  });

  it('does not count a consent whose date is still in the future', async () => {
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'], consentDate: iso(START + DAY) });
    expect(await consent.hasValidConsent('alice', 'email')).toBe(false);
    time.advance(DAY);
    expect(await consent.hasValidConsent('alice', 'email')).toBe(true);
  });

  it('withdraws by data type, by purpose, or everything; a later grant gives consent again', async () => {
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email', 'chat_transcripts'], purposes: ['model_training', 'analytics'] });
    await consent.withdrawConsent({ userId: 'alice', dataTypes: ['email'] });
    expect(await consent.hasValidConsent('alice', 'email', 'model_training')).toBe(false);
    expect(await consent.hasValidConsent('alice', 'email', 'analytics')).toBe(false);
    expect(await consent.hasValidConsent('alice', 'chat_transcripts', 'analytics')).toBe(true);

    await consent.withdrawConsent({ userId: 'alice', purposes: ['analytics'] });
    expect(await consent.hasValidConsent('alice', 'chat_transcripts', 'analytics')).toBe(false);
    expect(await consent.hasValidConsent('alice', 'chat_transcripts', 'model_training')).toBe(true);
    expect(await consent.hasValidConsent('alice', 'chat_transcripts')).toBe(true);

    await consent.withdrawConsent({ userId: 'alice' });
    expect(await consent.hasValidConsent('alice', 'chat_transcripts')).toBe(false);

    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['analytics'] });
    expect(await consent.hasValidConsent('alice', 'email', 'analytics')).toBe(true);
    expect(await consent.hasValidConsent('alice', 'chat_transcripts')).toBe(false);
  });

  it('keeps an append-only history in order; nothing recorded is changed', async () => {
    const first = await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'], consentDate: '2025-02-01', expiryDate: '2026-02-01T00:00:00+01:00', actor: 'ops@example.com' });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'] });
    time.advance(HOUR);
    const withdrawal = await consent.withdrawConsent({ userId: 'alice', purposes: ['support'] });
    const again = await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    const history = await consent.history('alice');
    expect(history).toEqual([first, withdrawal, again]);
    expect(history.map((e) => e.seq)).toEqual([...history.map((e) => e.seq)].sort((a, b) => a - b));
    expect(first).toMatchObject({ kind: 'granted', consentDate: '2025-02-01T00:00:00.000Z', expiryDate: '2026-01-31T23:00:00.000Z', actor: 'ops@example.com' });
    expect(withdrawal).toMatchObject({ kind: 'withdrawn', dataTypes: 'all', purposes: ['support'], recordedAt: iso(START + HOUR) });
  });

  it('refuses bad input, naming the field', async () => {
    const base = { userId: 'alice', dataTypes: ['email'], purposes: ['support'] };
    const refused = async (input: object, field: string, message: RegExp) => {
      const err = await consent.recordConsent({ ...base, ...input } as never).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field } });
      expect((err as Error).message).toMatch(message);
    };
    await refused({ userId: '' }, 'userId', /userId must be a non-empty string/);
    await refused({ dataTypes: [] }, 'dataTypes', /dataTypes must be a list/);
    await refused({ dataTypes: ['email', 'Chat Logs'] }, 'dataTypes[1]', /lower_snake_case/);
    await refused({ purposes: 'support' }, 'purposes', /purposes must be a list/);
    await refused({ consentDate: '2025-02-30' }, 'consentDate', /ISO 8601/);
    await refused({ consentDate: '2025-03-01T10:00:00' }, 'consentDate', /with a zone/);
    await refused({ consentDate: '2025-03-02', expiryDate: '2025-03-01' }, 'expiryDate', /must be after consentDate/);
    await refused({ consentDate: '2025-03-01', expiryDate: '2025-03-01T00:00:00Z' }, 'expiryDate', /must be after consentDate/);
    await expect(consent.withdrawConsent({ userId: 'alice', purposes: ['bad-name'] })).rejects.toMatchObject({ details: { field: 'purposes[0]' } });
    await expect(consent.hasValidConsent('alice', 'Email')).rejects.toMatchObject({ details: { field: 'dataType' } });
    expect(await consent.history('alice')).toEqual([]);
    expect(audit.events).toEqual([]);
  });

  it('refuses a key it does not know, naming it and the supported ones, and records nothing', async () => {
    const base = { userId: 'alice', dataTypes: ['email'], purposes: ['support'] };
    await expect(consent.recordConsent({ ...base, expiry: '2020-01-01' } as never)).rejects.toMatchObject({
      code: 'ERR_CONFIG_UNSUPPORTED_OPTION',
      message: 'recordConsent: unknown option expiry (supported: userId, dataTypes, purposes, consentDate, expiryDate, actor)',
    });
    await consent.recordConsent(base);
    // a misspelt list must not become "withdraw everything"
    await expect(consent.withdrawConsent({ userId: 'alice', datatypes: ['email'] } as never)).rejects.toMatchObject({
      code: 'ERR_CONFIG_UNSUPPORTED_OPTION',
      message: 'withdrawConsent: unknown option datatypes (supported: userId, dataTypes, purposes, actor)',
    });
    await expect(consent.withdrawConsent({ userId: 'alice', purpose: ['analytics'] } as never)).rejects.toThrow(/unknown option purpose \(supported: userId, dataTypes, purposes, actor\)/);
    // a stray argument is refused rather than ignored
    await expect((consent.hasValidConsent as (...args: unknown[]) => Promise<boolean>).call(consent, 'alice', 'email', 'support', 'extra')).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'hasValidConsent takes at most 3 arguments; got 4',
    });
    await expect((consent.recordConsent as (...args: unknown[]) => Promise<unknown>).call(consent, base, { expiryDate: '2026-01-01' })).rejects.toThrow(/recordConsent takes at most 1 argument; got 2/);
    expect(await consent.hasValidConsent('alice', 'email', 'support')).toBe(true);
    expect((await consent.history('alice')).map((e) => e.kind)).toEqual(['granted']);
    expect(audit.events).toHaveLength(1);
  });

  it('a grant dated before a withdrawal does not bring consent back when it is recorded after it', async () => {
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email', 'chat_transcripts'], purposes: ['support'], consentDate: '2024-01-01' });
    time.advance(HOUR);
    await consent.withdrawConsent({ userId: 'alice', dataTypes: ['email'] });
    expect(await consent.hasValidConsent('alice', 'email')).toBe(false);
    time.advance(DAY);
    // an older paper form, entered late: the subject's later wish (the withdrawal) wins, so the
    // grant would not count, and is refused saying so rather than recorded to no effect
    for (const consentDate of ['2023-06-01', iso(START + HOUR - 1), iso(START + HOUR).slice(0, 10) /* the same day, date-only: midnight */]) {
      await expect(consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'], consentDate, actor: 'backfill-import' })).rejects.toMatchObject({
        code: 'ERR_INVALID_INPUT',
        details: { field: 'consentDate', withdrawnAt: iso(START + HOUR) },
        message: expect.stringMatching(/^consentDate .* is before the withdrawal recorded at .* for email \/ support, so this grant would not count/),
      });
    }
    expect(await consent.hasValidConsent('alice', 'email', 'support')).toBe(false);
    expect((await consent.history('alice')).map((e) => e.kind)).toEqual(['granted', 'withdrawn']);
    // the withdrawal named email only; a backdated grant of another type is not covered
    await consent.recordConsent({ userId: 'alice', dataTypes: ['voice'], purposes: ['support'], consentDate: '2023-06-01' });
    expect(await consent.hasValidConsent('alice', 'voice', 'support')).toBe(true);
    expect(await consent.hasValidConsent('alice', 'chat_transcripts', 'support')).toBe(true);
    // consent given at or after the withdrawal counts again
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'], consentDate: iso(START + HOUR) });
    expect(await consent.hasValidConsent('alice', 'email', 'support')).toBe(true);
    expect((await consent.subjectRecords('alice')).validConsents.filter((c) => c.dataType === 'email')).toEqual([expect.objectContaining({ consentDate: iso(START + HOUR) })]);
  });

  it('checks a backdated grant against the withdrawals in its own write transaction, so one committed just before it is seen', async () => {
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    time.advance(HOUR);
    // Another server instance withdraws while this one records a paper form dated before the
    // withdrawal. The store below lets that withdrawal commit at the last moment a concurrent
    // writer can: after the grant was validated, just before its transaction takes the write lock.
    const otherInstance = new ConsentManager({ store, audit, clock: time.clock });
    let withdrawal: Promise<unknown> | undefined;
    const racing: Store = {
      ...store,
      async writeTransaction(lockName, work) {
        withdrawal ??= otherInstance.withdrawConsent({ userId: 'alice', dataTypes: ['email'] });
        await withdrawal;
        return store.writeTransaction(lockName, work);
      },
    };
    const thisInstance = new ConsentManager({ store: racing, audit, clock: time.clock });
    await expect(thisInstance.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'], consentDate: iso(START) })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      details: { field: 'consentDate', withdrawnAt: iso(START + HOUR) },
      message: expect.stringMatching(/^consentDate .* is before the withdrawal recorded at .* for email \/ support, so this grant would not count/),
    });
    expect((await consent.history('alice')).map((e) => e.kind)).toEqual(['granted', 'withdrawn']);
    expect(audit.events.map((e) => e.eventType)).toEqual(['consent.recorded', 'consent.withdrawn']);
    expect(await consent.hasValidConsent('alice', 'email', 'support')).toBe(false);
  });

  it('refuses subject ids with NUL or an unpaired surrogate alike on every database, writing nothing', async () => {
    for (const userId of ['a\u0000b', 'ana\uD800', '\uDC00x']) {
      await expect(consent.recordConsent({ userId, dataTypes: ['email'], purposes: ['support'] })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'userId' } });
      await expect(consent.withdrawConsent({ userId })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'userId' } });
      await expect(consent.hasValidConsent(userId, 'email')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'userId' } });
      await expect(consent.history(userId)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'userId' } });
    }
    await expect(consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'], actor: 'ops\u0000' })).rejects.toMatchObject({ details: { field: 'actor' } });
    await expect(consent.recordConsent({ userId: 'x', dataTypes: ['email'], purposes: ['support'] })).resolves.toMatchObject({ userId: 'x' });
    expect(await consent.hasValidConsent('x\uD83D\uDE00', 'email')).toBe(false); // a well-formed pair is an id like any other
    const rows = await store.db.selectFrom('privacy_consent_events').select('user_id').execute();
    expect(rows.map((r) => r.user_id)).toEqual(['x']);
    expect(audit.events).toHaveLength(1);
  });

  it('takes the years 0000 to 9999 alike as text and as Dates, refusing a Date outside them', async () => {
    const base = { userId: 'alice', dataTypes: ['email'], purposes: ['support'] };
    await expect(consent.recordConsent({ ...base, consentDate: new Date('+010000-01-01T00:00:00Z') })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'consentDate' }, message: 'consentDate must be in the years 0000 to 9999; got +010000-01-01T00:00:00.000Z' });
    await expect(consent.recordConsent({ ...base, expiryDate: new Date('+010000-01-01T00:00:00Z') })).rejects.toMatchObject({ details: { field: 'expiryDate' } });
    await expect(consent.recordConsent({ ...base, consentDate: new Date('-000001-01-01T00:00:00Z') })).rejects.toMatchObject({ details: { field: 'consentDate' } });
    expect(await consent.history('alice')).toEqual([]);
    // the years 0000-0099 are years, not 1900-1999: 0004 and 0000 are leap years, 0100 is not
    expect((await consent.recordConsent({ ...base, consentDate: '0000-02-29' })).consentDate).toBe('0000-02-29T00:00:00.000Z');
    expect((await consent.recordConsent({ ...base, consentDate: '0004-02-29' })).consentDate).toBe('0004-02-29T00:00:00.000Z');
    await expect(consent.recordConsent({ ...base, consentDate: '0100-02-29' })).rejects.toMatchObject({ details: { field: 'consentDate' } });
    await consent.withdrawConsent({ userId: 'alice' });
    time.advance(1);
    await consent.recordConsent({ ...base, expiryDate: new Date('9999-12-31T23:59:59.999Z') });
    expect(await consent.hasValidConsent('alice', 'email')).toBe(true);
  });

  it('audits every change with the subject id, data types and purposes only', async () => {
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'], expiryDate: '2026-01-01' });
    await consent.withdrawConsent({ userId: 'alice', dataTypes: ['email'] });
    const [recorded] = audit.of('consent.recorded');
    const [withdrawn] = audit.of('consent.withdrawn');
    expect(recorded).toMatchObject({ userId: 'alice', sensitive: ['userId'], level: 'basic', additionalData: { dataTypes: ['email'], purposes: ['support'], expiryDate: '2026-01-01T00:00:00.000Z' } });
    expect(withdrawn).toMatchObject({ userId: 'alice', additionalData: { dataTypes: ['email'], purposes: 'all' } });
    expect(Object.keys(recorded!.additionalData!).sort()).toEqual(['consentDate', 'dataTypes', 'expiryDate', 'purposes', 'seq']);
    expect(audit.events).toHaveLength(2);
  });

  it("names another subject's event's actor in the audit log only by a pseudonym, which erasing the actor unlinks", async () => {
    const grant = await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'alice' });
    const withdrawal = await consent.withdrawConsent({ userId: 'bob', actor: 'alice' });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'carol' });
    const refs = audit.events.map((e) => e.additionalData!.actorRef);
    expect(JSON.stringify(audit.events)).not.toContain('alice');
    expect(refs[0]).toMatch(/^[0-9a-f]{64}$/);
    // one actor's entries share no value: each reference is of its own event
    expect(new Set(refs).size).toBe(3);
    // while alice is not erased, her key shows each reference is hers (the consent rows name her too)
    const { ref_key } = await store.db.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('ref_key').where('actor', '=', 'alice').executeTakeFirstOrThrow();
    expect([actorRef(ref_key, 'alice', grant.seq), actorRef(ref_key, 'alice', withdrawal.seq)]).toEqual(refs.slice(0, 2));
    expect(actorRef(ref_key, 'mallory', grant.seq)).not.toBe(refs[0]);
    expect((await consent.history('bob'))[0]).toMatchObject({ seq: grant.seq, actor: 'alice' });

    expect(await consent.eraseActor('alice')).toBe(2);
    expect(await store.db.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('actor').orderBy('actor').execute()).toEqual([{ actor: 'carol' }]);
    // the same id recording again gets a new key: nothing ties the old entries to it
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['analytics'], actor: 'alice' });
    expect(audit.events.at(-1)!.additionalData!.actorRef).not.toBe(refs[0]);
    // an actor whose events are all gone (their subjects erased first) loses the key all the same
    await consent.eraseSubject('bob');
    expect(await consent.eraseActor('carol')).toBe(0);
    expect(await store.db.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('actor').execute()).toEqual([{ actor: 'alice' }]);
  });

  it('takes back the actor key made with an event whose audit record failed, unless another event of theirs uses it', async () => {
    const keys = () => store.db.selectFrom(CONSENT_ACTOR_KEYS_TABLE).select('actor').orderBy('actor').execute();
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'carol' });
    const failing = new ConsentManager({ store, audit: { record: () => Promise.reject(new LangtrainError('ERR_AUDIT_CLOSED', 'the audit log is closed')) }, clock: time.clock });
    await expect(failing.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'dave' })).rejects.toMatchObject({ code: 'ERR_AUDIT_CLOSED' });
    await expect(failing.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['analytics'], actor: 'carol' })).rejects.toMatchObject({ code: 'ERR_AUDIT_CLOSED' });
    // dave's key, made for an event that is gone, goes with it; carol's still serves her first event
    expect(await keys()).toEqual([{ actor: 'carol' }]);
    expect((await consent.history('bob')).map((e) => e.actor)).toEqual(['carol']);
  });

  it('exports everything it holds about one subject (GDPR Art. 15) and erases it', async () => {
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email', 'chat_transcripts'], purposes: ['support'], expiryDate: iso(START + DAY) });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['marketing'] });
    await consent.withdrawConsent({ userId: 'alice', dataTypes: ['chat_transcripts'] });
    const exported = await consent.subjectRecords('alice');
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
    expect(exported.subjectId).toBe('alice');
    expect(exported.events.map((e) => e.kind)).toEqual(['granted', 'withdrawn']);
    expect(exported.events.every((e) => e.userId === 'alice')).toBe(true);
    expect(JSON.stringify(exported)).not.toContain('marketing');
    expect(exported.validConsents).toEqual([{ dataType: 'email', purpose: 'support', consentDate: iso(START), expiryDate: iso(START + DAY), grantSeq: exported.events[0]!.seq }]);

    expect(await consent.eraseSubject('alice')).toEqual({ consentRecords: 2 });
    expect(await consent.history('alice')).toEqual([]);
    expect(await consent.hasValidConsent('bob', 'email', 'marketing')).toBe(true);
    expect(await consent.eraseSubject('alice')).toEqual({ consentRecords: 0 });
  });

  it('never gives a sequence number twice, even after the newest events were erased', async () => {
    const first = await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'] });
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    const erased = await consent.withdrawConsent({ userId: 'alice' });
    expect(await consent.eraseSubject('alice')).toEqual({ consentRecords: 2 });
    const next = await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['analytics'] });
    expect(next.seq).toBeGreaterThan(erased.seq);
    // every number the audit log carries names one event
    const seqs = audit.events.map((e) => e.additionalData!.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    // erasing every row does not restart the numbering either
    await consent.eraseSubject('bob');
    const again = await consent.withdrawConsent({ userId: 'bob' });
    expect(again.seq).toBeGreaterThan(next.seq);
    expect((await consent.history('bob')).map((e) => e.seq)).toEqual([again.seq]);
    expect(first.seq).toBeLessThan(erased.seq);
  });

  it('takes over the numbering of a store migrated before the counter existed', async () => {
    // a fresh store at migration 0001 only, with events already numbered 1..2
    const made = make();
    const old = await openStore(made.url);
    try {
      await migrate(old, 'consent', consentMigrations.slice(0, 1));
      const before = new ConsentManager({ store: old, audit: new RecordedEvents(), clock: time.clock });
      await old.writeTransaction('test', async (tx) => {
        for (const seq of [1, 2]) await tx.insertInto('privacy_consent_events').values({ seq, user_id: 'alice', kind: 'withdrawn', recorded_at: iso(START) }).execute();
      });
      expect(await migrate(old, 'consent', consentMigrations)).toEqual(['0002_privacy_consent_seq_counter', '0003_privacy_consent_actor_index', '0004_privacy_consent_actor_keys']);
      await before.eraseSubject('alice');
      expect((await before.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'] })).seq).toBe(3);
    } finally {
      await old.close();
      await made.cleanup();
    }
  });

  it('answers for many subjects at once', async () => {
    const ids = Array.from({ length: 620 }, (_, i) => `user-${i}`);
    for (const id of ids.filter((_, i) => i % 3 === 0)) await consent.recordConsent({ userId: id, dataTypes: ['email'], purposes: ['support'] });
    const consented = await consent.consentedSubjects(ids, 'email', 'support');
    expect(consented.size).toBe(207);
    expect(consented.has('user-612')).toBe(true);
    expect(consented.has('user-613')).toBe(false);
  });
});

describe('validConsents', () => {
  const grant = (seq: number, from: string, to: string | null): ConsentEvent => ({
    kind: 'granted', seq, userId: 'u', dataTypes: ['email'], purposes: ['support'], consentDate: from, expiryDate: to, recordedAt: from, actor: null,
  });
  it('an expired grant does not hide a later live one, and withdrawal only ends earlier grants', () => {
    const now = new Date('2025-06-01T00:00:00.000Z');
    const withdrawal: ConsentEvent = { kind: 'withdrawn', seq: 2, userId: 'u', dataTypes: 'all', purposes: 'all', recordedAt: '2025-02-01T00:00:00.000Z', actor: null };
    expect(validConsents([grant(1, '2025-01-01T00:00:00.000Z', null), withdrawal], now)).toEqual([]);
    expect(validConsents([grant(1, '2025-01-01T00:00:00.000Z', '2025-05-01T00:00:00.000Z'), withdrawal, grant(3, '2025-03-01T00:00:00.000Z', null)], now)).toHaveLength(1);
  });

  it('a withdrawal also covers grants recorded after it but dated before it; at the same instant the later record wins', () => {
    const now = new Date('2025-06-01T00:00:00.000Z');
    const withdrawal: ConsentEvent = { kind: 'withdrawn', seq: 2, userId: 'u', dataTypes: 'all', purposes: 'all', recordedAt: '2025-02-01T00:00:00.000Z', actor: null };
    expect(validConsents([grant(1, '2025-01-01T00:00:00.000Z', null), withdrawal, grant(3, '2024-06-01T00:00:00.000Z', null)], now)).toEqual([]);
    expect(validConsents([withdrawal, grant(3, '2025-01-31T23:59:59.999Z', null)], now)).toEqual([]);
    expect(validConsents([withdrawal, grant(3, '2025-02-01T00:00:00.000Z', null)], now)).toHaveLength(1);
    // a future-dated grant recorded before the withdrawal stays withdrawn
    expect(validConsents([grant(1, '2025-03-01T00:00:00.000Z', null), withdrawal], now)).toEqual([]);
  });

  it('compares dates as instants: a date past year 9999 has not begun', () => {
    const now = new Date('2025-06-01T00:00:00.000Z');
    expect(validConsents([grant(1, '+010000-01-01T00:00:00.000Z', null)], now)).toEqual([]);
    expect(validConsents([grant(1, '2025-01-01T00:00:00.000Z', '+010000-01-01T00:00:00.000Z')], now)).toHaveLength(1);
  });
});
