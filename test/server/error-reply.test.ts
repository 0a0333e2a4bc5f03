import { describe, expect, it } from 'vitest';
import { LangtrainError } from '../../src/core/errors.js';
import { describeError, INTERNAL_MESSAGE } from '../../src/server/error-reply.js';

const LIMIT = 1024;

describe('describeError', () => {
  it.each([
    ['ERR_INVALID_INPUT', 400],
    ['ERR_INVALID_UNIT', 400],
    ['ERR_CONFIG_INVALID', 400],
    ['ERR_CONFIG_UNSUPPORTED_OPTION', 400],
    ['ERR_NOT_FOUND', 404],
    ['ERR_UNAUTHENTICATED', 401],
    ['ERR_FORBIDDEN', 403],
    ['ERR_CSRF', 403],
    ['ERR_REAUTH_REQUIRED', 403],
    ['ERR_SESSION_LIMIT', 409],
    ['ERR_USER_EXISTS', 409],
    ['ERR_PASSWORD_REJECTED', 400],
    ['ERR_API_KEY_INACTIVE', 409],
    ['ERR_WEBAUTHN_REJECTED', 400],
    ['ERR_WEBAUTHN_CREDENTIAL_EXISTS', 409],
    ['ERR_SSO_FAILED', 502],
    ['ERR_SMS_SEND_FAILED', 502],
    ['ERR_POLICY_INVALID', 400],
  ] as const)('answers %s with %i and its message', (code, status) => {
    expect(describeError(new LangtrainError(code, 'what was wrong'), LIMIT)).toEqual({ status, body: { error: { code, message: 'what was wrong' } } });
  });

  it("shows only the details that point into the caller's own input, and only for the codes that have them", () => {
    const refused = new LangtrainError('ERR_POLICY_INVALID', 'policy "p": condition: bad', { policy: 'p', field: 'condition', reason: 'bad', file: '/etc/langtrain/policy.yaml', nothing: undefined });
    expect(describeError(refused, LIMIT).body.error).toEqual({ code: 'ERR_POLICY_INVALID', message: 'policy "p": condition: bad', details: { policy: 'p', field: 'condition', reason: 'bad' } });
    const inUse = new LangtrainError('ERR_INVALID_INPUT', 'role "r" is named by 1 binding (u); delete that binding first', { role: 'r', bindings: 1, boundTo: ['u'] });
    expect(describeError(inUse, LIMIT).body.error.details).toEqual({ role: 'r', bindings: 1, boundTo: ['u'] });
    // None of the shown names: no details at all, not an empty object.
    expect(describeError(new LangtrainError('ERR_INVALID_INPUT', 'roles: bad', { option: 'roles' }), LIMIT).body.error).not.toHaveProperty('details');
    // The same names under another code are not shown: its details may describe the server.
    expect(describeError(new LangtrainError('ERR_SSO_FAILED', 'sign-in failed', { reason: 'idp_unreachable' }), LIMIT).body.error).not.toHaveProperty('details');
    expect(describeError(new LangtrainError('ERR_STORE_UNAVAILABLE', 'down', { reason: 'ECONNREFUSED', field: 'url' }), LIMIT).body.error).not.toHaveProperty('details');
  });

  it('hides server-side LangtrainErrors behind ERR_INTERNAL', () => {
    const reply = describeError(new LangtrainError('ERR_STORE_UNAVAILABLE', 'cannot reach postgres://db-host/prod'), LIMIT);
    expect(reply).toEqual({ status: 500, body: { error: { code: 'ERR_INTERNAL', message: INTERNAL_MESSAGE } } });
  });

  it('never returns the message of an unexpected error', () => {
    const reply = describeError(new TypeError('password=hunter2 at Object.<anonymous>'), LIMIT);
    expect(reply.status).toBe(500);
    expect(JSON.stringify(reply.body)).not.toContain('hunter2');
  });

  it('answers a body over the limit with 413 naming the limit', () => {
    const err = Object.assign(new RangeError('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(describeError(err, LIMIT)).toEqual({
      status: 413,
      body: { error: { code: 'ERR_BODY_TOO_LARGE', message: 'request body is larger than the limit of 1024 bytes (server.bodyLimit)' } },
    });
  });

  it("answers the router's errors with a message of its own: Fastify's echoes the path, which holds subject ids", () => {
    const path = '/v1/consent/alice@example.com';
    const tooLong = Object.assign(new URIError(`'${path}' is exceeding the max param length`), { code: 'FST_ERR_MAX_PARAM_LENGTH', statusCode: 414 });
    const badUrl = Object.assign(new URIError(`'${path}' is not a valid url component`), { code: 'FST_ERR_BAD_URL', statusCode: 400 });
    expect(describeError(tooLong, LIMIT)).toEqual({ status: 414, body: { error: { code: 'ERR_INVALID_INPUT', message: 'a segment of the path is longer than any this API takes' } } });
    expect(describeError(badUrl, LIMIT)).toEqual({ status: 400, body: { error: { code: 'ERR_INVALID_INPUT', message: 'the path is not valid: a percent-encoded part of it is not UTF-8' } } });
  });

  it('keeps only Fastify 4xx errors as client errors', () => {
    const media = Object.assign(new Error('Unsupported Media Type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
    expect(describeError(media, LIMIT).status).toBe(415);
    const foreign = Object.assign(new Error('upstream said no'), { statusCode: 400 });
    expect(describeError(foreign, LIMIT).status).toBe(500);
  });
});
