import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevelopmentSmsSender, TwilioCompatibleSender, maskPhone } from '../../../../src/identity/mfa/sms/sms-sender.js';
import { HttpStandIn } from '../../../secrets/stand-ins/http-stand-in.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const TO = '+447700900123';
const TEXT = '482913 is your LangTrain verification code.';

describe('TwilioCompatibleSender', () => {
  let standIn: HttpStandIn;
  beforeEach(async () => {
    standIn = await HttpStandIn.start(() => ({ status: 201, body: { sid: 'SM1', status: 'queued' } }));
  });
  afterEach(async () => {
    await standIn.close();
  });

  const sender = () => new TwilioCompatibleSender({ baseUrl: standIn.url, accountSid: SID, authToken: TOKEN, from: '+15005550006' });

  it('posts To, From and Body, form-encoded, with HTTP Basic auth to the Messages path', async () => {
    await sender().send(TO, TEXT);
    expect(standIn.requests).toHaveLength(1);
    const r = standIn.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(r.body))).toEqual({ To: TO, From: '+15005550006', Body: TEXT });
  });

  it('maps 401 to ERR_SMS_PROVIDER_DENIED without the token, code or number', async () => {
    standIn.failWhen(() => true, (req) => ({ status: 401, body: { code: 20003, message: `Authenticate: ${req.body}`, status: 401 } }));
    const err = await sender()
      .send(TO, TEXT)
      .then(
        () => {
          throw new Error('expected a refusal');
        },
        (e: unknown) => e as Error & { code: string; details: Record<string, unknown> },
      );
    expect(err).toMatchObject({ code: 'ERR_SMS_PROVIDER_DENIED', details: { status: 401, providerCode: 20003, to: '***23' } });
    expect(err.message).toMatch(/refused the account credentials \(HTTP 401\)/);
    const shown = `${err.message} ${JSON.stringify(err.details)} ${String(err.stack)}`;
    for (const secret of [TOKEN, Buffer.from(`${SID}:${TOKEN}`).toString('base64'), '482913', TO, TO.slice(1)]) expect(shown).not.toContain(secret);
  });

  it('maps other failures to ERR_SMS_SEND_FAILED, and an unreachable gateway too', async () => {
    standIn.failWhen(() => true, () => ({ status: 400, body: { code: 21211, message: "The 'To' number is not valid." } }));
    await expect(sender().send(TO, TEXT)).rejects.toMatchObject({ code: 'ERR_SMS_SEND_FAILED', details: { status: 400, providerCode: 21211 } });
    const url = standIn.url;
    await standIn.close();
    standIn = await HttpStandIn.start(() => ({ status: 201 }));
    const gone = new TwilioCompatibleSender({ baseUrl: url, accountSid: SID, authToken: TOKEN, from: 'LangTrain' });
    await expect(gone.send(TO, TEXT)).rejects.toMatchObject({ code: 'ERR_SMS_SEND_FAILED', details: { reason: 'unreachable' } });
  });

  it('refuses plain http beyond loopback and bad configuration, naming no token', () => {
    const make = (o: object) => () => new TwilioCompatibleSender({ baseUrl: 'https://api.twilio.com', accountSid: SID, authToken: TOKEN, from: '+15005550006', ...o });
    expect(make({})).not.toThrow();
    expect(make({ baseUrl: 'http://api.twilio.com' })).toThrow(/must use https/);
    expect(make({ baseUrl: 'https://u:p@api.twilio.com' })).toThrow(/credentials/);
    expect(make({ authToken: '' })).toThrow(/authToken/);
    expect(make({ accountSid: 'AC/../x' })).toThrow(/accountSid/);
    expect(make({ from: 'not a valid sender' })).toThrow(/from/);
    try {
      make({ from: '' })();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain(TOKEN);
    }
  });
});

describe('DevelopmentSmsSender', () => {
  const saved = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = saved;
  });

  it('keeps messages in an outbox and checks the number', async () => {
    const dev = new DevelopmentSmsSender();
    await dev.send(TO, TEXT);
    expect(dev.lastTo(TO)?.text).toBe(TEXT);
    await expect(dev.send('447700900123', TEXT)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect(maskPhone(TO)).toBe('***23');
  });

  it('refuses to run with NODE_ENV=production', async () => {
    const dev = new DevelopmentSmsSender();
    process.env.NODE_ENV = 'production';
    expect(() => new DevelopmentSmsSender()).toThrow(/NODE_ENV=production/);
    await expect(dev.send(TO, TEXT)).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    expect(dev.outbox).toHaveLength(0);
  });
});
