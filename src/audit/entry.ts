import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { AuditEventInput, AuditEventLevel, JsonValue } from '../core/audit-sink.js';
import { invalidInput } from '../core/errors.js';

/**
 * The audit entry: what is hashed into the Merkle tree. Its bytes are the RFC 8785 (JCS)
 * canonical JSON of `EntryBody`, stored exactly as hashed, so any verifier in any language
 * re-derives the leaf from the stored bytes alone.
 */
export const ENTRY_FORMAT_VERSION = 1;

// The package is CommonJS whose typings claim an ES default export; load it as what it is.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

/** Payload sealed with AES-256-GCM when the log encrypts. */
export interface SealedPayload {
  /** Id of the data key, one per subject, destroyable for crypto-shredding. */
  kid: string;
  nonce: string;
  ct: string;
}

export interface EntryBody {
  v: typeof ENTRY_FORMAT_VERSION;
  /** Leaf index: binds the entry to its position, so a reordered row fails verification. */
  index: number;
  id: string;
  /** Server time at append (ISO 8601, UTC, milliseconds). */
  loggedAt: string;
  /** When the event happened, as the caller said (normalised to ISO 8601 UTC). */
  timestamp: string;
  eventType: string;
  result: string;
  level: AuditEventLevel;
  /** Present when the user id is stored in clear. */
  userId?: string;
  /** Keyed pseudonym of a user id marked sensitive. */
  userRef?: string;
  /** `additionalData` in clear (log without encryption). */
  data?: { [key: string]: JsonValue };
  sealed?: SealedPayload;
}

const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Deepest nesting of `additionalData` (the object itself is level 1). Far below what the
 * databases' JSON functions accept (about 1000), so a stored body always indexes.
 */
export const MAX_PAYLOAD_DEPTH = 64;

/** A UTF-16 surrogate not part of a pair: not encodable as UTF-8, refused by jsonb. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** C0 controls and DEL: forbidden in the one-line fields (user id, event type), where a tab or newline could fake a column or a line. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * What the schema cannot say, checked on the raw input before zod sees it: NUL and lone
 * surrogates in any string or key (PostgreSQL's jsonb and SQLite's JSON functions refuse
 * them, so the insert, and with it a whole group commit, would fail), nesting deeper than
 * MAX_PAYLOAD_DEPTH, `__proto__` keys (which zod's record drops silently, so the entry
 * would differ from what was submitted), and control characters in userId and eventType.
 * A problem names where it is, never the value.
 */
function rawProblems(input: unknown): string[] {
  if (input === null || typeof input !== 'object') return [];
  const problems: string[] = [];
  const record = input as Record<string, unknown>;
  for (const field of ['eventType', 'userId', 'result'] as const) {
    const value = record[field];
    if (typeof value !== 'string') continue;
    const bad = stringProblem(value) ?? (CONTROL.test(value) ? 'contains a control character (tab, newline, …)' : undefined);
    if (bad) problems.push(`${field}: ${bad}`);
  }
  if (record.additionalData !== undefined) walkPayload(record.additionalData, 'additionalData', 1, problems);
  return problems;
}

function stringProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

/** A key as it may appear in a message: plain names as they are, anything else not at all. */
const pathKey = (key: string) => (/^[A-Za-z0-9_$-]{1,64}$/.test(key) ? `.${key}` : '.<key>');
/** The path one level down, cut short past 80 characters (a deep payload would make it a wall of `[0]`). */
const extend = (path: string, step: string) => (path.length <= 80 ? path + step : path.endsWith('…') ? path : `${path}…`);

function walkPayload(value: unknown, path: string, depth: number, problems: string[]): void {
  if (problems.length >= 10) return;
  if (typeof value === 'string') {
    const bad = stringProblem(value);
    if (bad) problems.push(`${path}: ${bad}`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth > MAX_PAYLOAD_DEPTH) {
    problems.push(`${path}: nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkPayload(item, extend(path, `[${i}]`), depth + 1, problems));
    return;
  }
  if (value instanceof Date) return; // not JSON: the schema names it
  for (const key of Object.keys(value)) {
    const bad = key === '__proto__' ? 'a key named __proto__ is not allowed' : stringProblem(key)?.replace(/^contains/, 'a key contains');
    if (bad) {
      problems.push(`${path}: ${bad}`);
      continue;
    }
    walkPayload((value as Record<string, unknown>)[key], extend(path, pathKey(key)), depth + 1, problems);
  }
}

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number().refine(Number.isFinite, 'numbers must be finite'), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const eventSchema = z
  .object({
    eventType: z.string().regex(/^[a-z][a-z0-9_.:-]{0,127}$/, 'must be a lower-case name such as "user_authentication" or "keys.rotated"'),
    userId: z.string().min(1).max(256).nullish(),
    timestamp: z.union([z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as "2024-01-15T10:30:00Z"' }), z.date()]).optional(),
    result: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'must be a lower-case word such as "success", "failure" or "denied"'),
    additionalData: z.record(z.string(), jsonValue).optional(),
    sensitive: z.array(z.literal('userId')).optional(),
    level: z.enum(['basic', 'detailed']).optional(),
  })
  .strict();

/** An event checked and normalised at the door, ready to be placed in the log. */
export interface ValidEvent {
  id: string;
  timestamp: string;
  eventType: string;
  userId: string | null;
  result: string;
  level: AuditEventLevel;
  additionalData: { [key: string]: JsonValue } | undefined;
  userIdSensitive: boolean;
  /** The platform's own events about a subject (`audit.shredded`): stored as this pseudonym only, never with the id. */
  userRef?: string;
}

/** Validate one event as `logEvent` takes it. Throws `ERR_INVALID_INPUT` naming the bad field. */
export function validateEvent(input: AuditEventInput, now: Date): ValidEvent {
  const raw = rawProblems(input);
  if (raw.length > 0) throw invalidInput(`invalid audit event: ${raw.join('; ')}`, { problems: raw });
  const parsed = eventSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown field ${i.keys.join(', ')} (supported: eventType, userId, timestamp, result, additionalData, sensitive, level)`
        : `${i.path.join('.') || 'event'}: ${i.message}`,
    );
    throw invalidInput(`invalid audit event: ${problems.join('; ')}`, { problems });
  }
  const event = parsed.data;
  const timestamp = event.timestamp === undefined ? now : new Date(event.timestamp);
  if (Number.isNaN(timestamp.getTime())) {
    throw invalidInput('invalid audit event: timestamp must be an ISO 8601 date-time such as "2024-01-15T10:30:00Z"', {
      problems: ['timestamp'],
    });
  }
  if (event.additionalData !== undefined && Buffer.byteLength(JSON.stringify(event.additionalData)) > MAX_PAYLOAD_BYTES) {
    throw invalidInput(`invalid audit event: additionalData is larger than ${MAX_PAYLOAD_BYTES} bytes`, { problems: ['additionalData'] });
  }
  const userIdSensitive = event.sensitive?.includes('userId') ?? false;
  if (userIdSensitive && !event.userId) {
    throw invalidInput('invalid audit event: sensitive names userId but the event has none', { problems: ['sensitive'] });
  }
  return {
    id: randomUUID(),
    timestamp: timestamp.toISOString(),
    eventType: event.eventType,
    userId: event.userId ?? null,
    result: event.result,
    level: event.level ?? 'basic',
    additionalData: event.additionalData,
    userIdSensitive,
  };
}

/**
 * Canonical JSON (RFC 8785) of a body: its UTF-8 bytes are what the leaf hash covers.
 *
 * The top level is written by hand in JCS key order (the keys are ours and fixed), which
 * is four times faster than the general canonicalizer on the append path; nested values
 * (`data`, `sealed`) go through the `canonicalize` package. A property test holds the two
 * equal.
 */
export function serializeBody(body: EntryBody): string {
  let text = '{';
  if (body.data !== undefined) text += `"data":${canonical(body.data)},`;
  text += `"eventType":${JSON.stringify(body.eventType)},"id":${JSON.stringify(body.id)},"index":${body.index},`;
  text += `"level":${JSON.stringify(body.level)},"loggedAt":${JSON.stringify(body.loggedAt)},"result":${JSON.stringify(body.result)},`;
  if (body.sealed !== undefined) text += `"sealed":${canonical(body.sealed)},`;
  text += `"timestamp":${JSON.stringify(body.timestamp)},`;
  if (body.userId !== undefined) text += `"userId":${JSON.stringify(body.userId)},`;
  if (body.userRef !== undefined) text += `"userRef":${JSON.stringify(body.userRef)},`;
  return `${text}"v":${body.v}}`;
}

function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('entry body is not serialisable');
  return text;
}

export function parseBody(text: string): EntryBody {
  const body = JSON.parse(text) as EntryBody;
  if (body === null || typeof body !== 'object' || body.v !== ENTRY_FORMAT_VERSION) {
    throw new Error(`entry format version ${String((body as { v?: unknown } | null)?.v)} is not supported`);
  }
  return body;
}
