import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isLangtrainError, type ErrorCode, type LangtrainError } from '../core/errors.js';
import { routeOf } from './logger.js';

/**
 * The one error body the API answers with: a stable `code` to branch on and a message for
 * people. Never a stack: a caller learns what was wrong with its request, not how the server
 * is built.
 */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Only the details of {@link SHOWN_DETAILS} (those that point into the caller's own input), and only when the error has any of them. */
    details?: Record<string, unknown>;
  };
}

export interface ErrorReply {
  status: number;
  body: ErrorBody;
}

/** Said for every failure we did not foresee; the real error goes to the server log only. */
export const INTERNAL_MESSAGE = 'internal error; the server log has the details (match it by the x-request-id of this response)';

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  ERR_INVALID_INPUT: 400,
  ERR_INVALID_UNIT: 400,
  ERR_NOT_FOUND: 404,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_CSRF: 403,
  ERR_REAUTH_REQUIRED: 403,
  ERR_MFA_ENROLMENT_REQUIRED: 403,
  ERR_PASSWORD_REJECTED: 400,
  // A role, binding or policy that does not validate or compile: the message names it, the position and the reason.
  ERR_POLICY_INVALID: 400,
  ERR_USER_EXISTS: 409,
  ERR_CONFLICT: 409,
  ERR_SESSION_LIMIT: 409,
  ERR_API_KEY_CLAIM_REFUSED: 409,
  // Rotating a revoked or expired key: the key's state, not the request, is the problem.
  ERR_API_KEY_INACTIVE: 409,
  // The unit's budget, not the request's shape, stands in the way: the state conflicts.
  ERR_PRIVACY_BUDGET_EXHAUSTED: 409,
  // The authenticator's answer did not verify (origin, challenge, signature, user verification).
  ERR_WEBAUTHN_REJECTED: 400,
  ERR_WEBAUTHN_CREDENTIAL_EXISTS: 409,
  // The SMS gateway failed or refused our credentials: a gateway problem, not the caller's.
  ERR_SMS_SEND_FAILED: 502,
  ERR_DELIVERY_FAILED: 502,
  ERR_SMS_PROVIDER_DENIED: 502,
  ERR_BODY_TOO_LARGE: 413,
  // The subject is erased but the audit log was down: the message (no subject id, the counts and
  // what to keep) is the caller's only record, so it is shown rather than hidden as a fault.
  ERR_ERASURE_NOT_AUDITED: 503,
  ERR_RATE_LIMITED: 429,
  ERR_FPE_INVALID_INPUT: 400,
  // The caller's ciphertext or context does not open: a client error, never a server fault.
  ERR_CRYPTO_DECRYPT_FAILED: 422,
  ERR_CRYPTO_STREAM_TRUNCATED: 422,
  ERR_CRYPTO_STREAM_HEADER_INVALID: 422,
  // Destroyed on purpose (crypto-shredding): gone for good.
  ERR_CRYPTO_KEY_DESTROYED: 410,
  ERR_KMS_UNAVAILABLE: 503,
  // An upstream (Vault, AWS, Azure) refused or failed us: a gateway problem, not the caller's.
  ERR_PROVIDER_DENIED: 502,
  // The identity provider could not be reached or discovered when a sign-in started.
  ERR_SSO_FAILED: 502,
};

/**
 * Detail names that, in these codes, point into the caller's own input: the role, binding or
 * policy refused and its field, the reason, the place inside a condition (or a batch), every
 * problem found (by the caller's own indices), who still depends on a role being deleted.
 */
const CALLER_INPUT_DETAILS = ['policy', 'role', 'binding', 'field', 'reason', 'position', 'problems', 'inheritedBy', 'bindings', 'boundTo'] as const;

/**
 * The details an error of each code carries into the body, picked by name. Listed only where
 * every error of that code uses those names for the caller's own input, so a program can point
 * at it; any other detail (a file path or option of the server) stays on the server.
 */
const SHOWN_DETAILS: Partial<Record<ErrorCode, readonly string[]>> = {
  ERR_INVALID_INPUT: CALLER_INPUT_DETAILS,
  ERR_POLICY_INVALID: CALLER_INPUT_DETAILS,
};

/**
 * Fastify's errors answered with a message of ours: the router's echo the whole path, which
 * holds subject ids (often emails), and "Unsupported Media Type" does not say what to send.
 */
const FRAMEWORK_MESSAGES: Partial<Record<string, string>> = {
  FST_ERR_BAD_URL: 'the path is not valid: a percent-encoded part of it is not UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'a segment of the path is longer than any this API takes',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported media type: send the body as the route's content type (application/json; GET /openapi.json lists each route's), without content-encoding",
};

const reply = (status: number, code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorReply => ({
  status,
  body: { error: { code, message, ...(details === undefined ? {} : { details }) } },
});

/** The details of `err` its code shows, or undefined when it carries none of them. */
function shownDetails(err: LangtrainError): Record<string, unknown> | undefined {
  const keys = (SHOWN_DETAILS[err.code] ?? []).filter((key) => err.details[key] !== undefined);
  return keys.length === 0 ? undefined : Object.fromEntries(keys.map((key) => [key, err.details[key]]));
}

/** What to answer for `err`. Pure, so every mapping is tested without a server. */
export function describeError(err: unknown, bodyLimit: number): ErrorReply {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? 'request';
    return reply(400, 'ERR_INVALID_INPUT', `invalid ${where}: ${err.validation.flatMap((issue) => describeIssue(issue)).join('; ')}`);
  }
  if (isLangtrainError(err)) {
    const status = err.code.startsWith('ERR_CONFIG_') ? 400 : STATUS_BY_CODE[err.code];
    // LangtrainError messages are written to be shown (they never carry secrets); other codes
    // (store down, audit chain broken) are server faults the caller cannot act on.
    if (status !== undefined) return reply(status, err.code, err.message, shownDetails(err));
    return reply(500, 'ERR_INTERNAL', INTERNAL_MESSAGE);
  }
  const fastifyError = err as Partial<FastifyError>;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply(413, 'ERR_BODY_TOO_LARGE', `request body is larger than the limit of ${bodyLimit} bytes (server.bodyLimit)`);
  }
  // Fastify's own 4xx errors (malformed JSON, bad content-length) describe the request, not the
  // server, so their fixed messages are safe to return; those of FRAMEWORK_MESSAGES are replaced.
  const status = fastifyError.statusCode;
  if (typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_') && typeof status === 'number' && status >= 400 && status < 500) {
    return reply(status, 'ERR_INVALID_INPUT', FRAMEWORK_MESSAGES[fastifyError.code] ?? String(fastifyError.message));
  }
  return reply(500, 'ERR_INTERNAL', INTERNAL_MESSAGE);
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: ZodIssueLike[][];
}

/** One line per problem, each naming the field by its path (`events.3.result`). */
function describeIssue(issue: ValidationIssue): string[] {
  const path = issue.instancePath.split('/').filter(Boolean);
  return describeZodIssue({ code: issue.keyword, path: [], message: issue.message ?? 'is invalid', ...issue.params } as ZodIssueLike, path);
}

function describeZodIssue(issue: ZodIssueLike, prefix: PropertyKey[]): string[] {
  const path = [...prefix, ...issue.path].map(String);
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    // A union fails as a whole; the branch with the fewest problems is the one the caller
    // meant (a batch with one bad event, not "missing eventType" on the wrapper).
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return closest.flatMap((inner) => describeZodIssue(inner, path));
  }
  const at = path.length > 0 ? `${path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys' && issue.keys) return [`${at}unknown field ${issue.keys.join(', ')}`];
  return [`${at}${issue.message}`];
}

/** The message of every client error's log line: the line says what was refused, never why in the caller's words. */
export const CLIENT_ERROR_LOG_MESSAGE = 'request refused';

/**
 * The app's error handler: answers with {@link describeError} and logs the real error.
 * Server faults are logged with their stack at `error`; a caller's mistakes at `info`, by code,
 * status and route pattern only: their message echoes the request (an unknown query key, an
 * artifact name, a subject id, which are often emails), and the request log never holds path
 * values or query keys and values (see logger.ts). The caller still gets the full message.
 */
export function errorHandler(bodyLimit: number) {
  return function handleError(err: unknown, request: FastifyRequest, res: FastifyReply): void {
    const { status, body } = describeError(err, bodyLimit);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.error.code, status, route: routeOf(request) }, CLIENT_ERROR_LOG_MESSAGE);
    res.code(status).type('application/json; charset=utf-8').send(body);
  };
}

/** Unknown routes answer like every other error; the path is not echoed back. */
export function notFoundHandler(request: FastifyRequest, res: FastifyReply): void {
  res.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: `no route for ${request.method} on this path; GET /openapi.json lists the routes` } } satisfies ErrorBody);
}
