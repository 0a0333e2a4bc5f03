import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LangtrainError } from './errors.js';
import { durationField, rateField, sizeField } from './options.js';
import { parseDuration } from './units.js';

/**
 * The one configuration of a LangTrain deployment: `langtrain.config.yaml`, then
 * `LANGTRAIN_*` environment overrides, then options given in code or on the command line.
 * Validated once here; every other module receives the parsed, typed form.
 */

const duration = durationField;
const size = sizeField;
const rate = rateField;

/** A key held outside the database: `file:PATH` or `env:NAME` holding the key as text (hex or base64). */
export type KeyReference = `file:${string}` | `env:${string}`;

const keyReference = z
  .string()
  .regex(/^(file|env):.+$/, 'must be "file:PATH" or "env:NAME"')
  .transform((value) => value as KeyReference);

const storeSchema = z
  .object({
    /** `sqlite:PATH` (default `sqlite:.langtrain/langtrain.db`), `sqlite::memory:` or `postgres://…`. */
    url: z.string().default('sqlite:.langtrain/langtrain.db'),
    /** Optional Redis (`redis://host:port/db`): shared rate limits across server instances. */
    redisUrl: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
    redisKeyPrefix: z.string().min(1).default('langtrain:'),
  })
  .strict();

export const auditSchema = z
  .object({
    /** The seed's `audit_level`: `basic` records security-significant events only; `detailed` records every event. */
    level: z.enum(['basic', 'detailed']).default('detailed'),
    /** The log's name in its signed checkpoints (C2SP tlog-checkpoint origin line). */
    origin: z
      .string()
      .regex(/^[^\s+]+$/, 'must be one word with no "+" (e.g. "langtrain.example.com/audit")')
      .default('langtrain.local/audit'),
    /** Sign a checkpoint after this many new entries... */
    checkpointEvery: z.number().int().min(1).max(1_000_000).default(1000),
    /** ...or after this long with unsigned entries, whichever comes first. */
    checkpointInterval: duration('audit.checkpointInterval').default(10_000),
    /** Where the Ed25519 checkpoint signing key lives: `store` (default), `file:PATH` or `env:NAME`. */
    signingKey: z.union([z.literal('store'), keyReference]).default('store'),
    /**
     * A file outside the database that keeps the last checkpoint this log signed (its signed
     * note), so that a database rolled back or rewritten with its checkpoints deleted is refused
     * rather than signed. One file per log, on a writable path the database's administrators
     * cannot write; not set: the checks use the database's own checkpoints only.
     */
    headFile: z.string().min(1).optional(),
    /** The seed's `immutable_storage`: database-level guards against update and delete. Always on. */
    immutableStorage: z.literal(true, { message: 'only true is supported: the audit log is always append-only' }).default(true),
    /** The seed's `digital_signatures`: signed checkpoints. Always on. */
    digitalSignatures: z
      .literal(true, { message: 'only true is supported: an unsigned checkpoint proves nothing to a third party' })
      .default(true),
    /** The seed's `encryption`: seal `additionalData` (and fields marked sensitive) with AES-256-GCM. */
    encryption: z.boolean().default(false),
    /** Key-encryption key for sealed payloads; the default file is created on first use. */
    encryptionKey: keyReference.default('file:.langtrain/audit-encryption.key'),
    /** The seed's `retention_period`: payloads older than this are pruned; leaf hashes stay. */
    retentionPeriod: duration('audit.retentionPeriod').default(parseDuration('10y')),
  })
  .strict();

export const cryptoSchema = z
  .object({
    /** The seed's `encryption_level`: the AEAD for data at rest. */
    encryptionLevel: z.enum(['AES-256-GCM'], { message: 'only AES-256-GCM is supported' }).default('AES-256-GCM'),
    /**
     * The seed's `key_management`: where the key-encryption key (KEK) lives. `local`: a key
     * file, environment variable or passphrase; `hsm`: a PKCS#11 token; `customer_managed`: a
     * KEK the customer holds, named by `kek`.
     */
    keyManagement: z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(['local', 'hsm', 'customer_managed'], { message: 'supported: local, hsm, customer_managed' }))
      .default('local'),
    /**
     * The KEK's URI: `file:PATH` / `env:NAME` (a 256-bit key), `passphrase:env:NAME` /
     * `passphrase:file:PATH` (PBKDF2-SHA256, ≥ 600,000 iterations), or `pkcs11:token=…;object=…?module-path=…&pin-source=env:NAME`.
     * Default for `local`: `file:.langtrain/kek.key`, created on first use.
     */
    kek: z.string().regex(/^(pkcs11:|(passphrase:)?(file|env):).+$/, 'must be file:PATH, env:NAME, passphrase:env:NAME, passphrase:file:PATH or pkcs11:…').optional(),
    /** The seed's `key_rotation_interval`: age at which a key's primary version is rotated. */
    keyRotationInterval: duration('crypto.keyRotationInterval').default(parseDuration('90d')),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.keyManagement === 'hsm' && !c.kek?.startsWith('pkcs11:')) {
      ctx.addIssue({ code: 'custom', path: ['kek'], message: 'keyManagement hsm needs kek: "pkcs11:token=…;object=…?module-path=…"' });
    }
    if (c.keyManagement === 'customer_managed' && c.kek === undefined) {
      ctx.addIssue({ code: 'custom', path: ['kek'], message: 'keyManagement customer_managed needs kek: the URI of the key you hold (pkcs11:, file:, env:)' });
    }
    if (c.keyManagement === 'local' && c.kek?.startsWith('pkcs11:')) {
      ctx.addIssue({ code: 'custom', path: ['kek'], message: 'a pkcs11: KEK needs keyManagement hsm or customer_managed' });
    }
  });

const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8787),
    tlsCert: z.string().optional(),
    tlsKey: z.string().optional(),
    /** PEM CA bundle that signs service client certificates (mTLS); needs tlsCert/tlsKey. */
    clientCa: z.string().optional(),
    /** Refuse the TLS handshake of a client without a certificate signed by `clientCa`. */
    requireClientCert: z.boolean().default(false),
    bodyLimit: size('server.bodyLimit').default(1_048_576),
    /** Per-client request rate; shared through Redis when `store.redisUrl` is set. */
    rateLimit: rate('server.rateLimit').default({ limit: 1200, windowMs: 60_000 }),
    /**
     * Proxies whose `X-Forwarded-For` is believed (comma-separated addresses or CIDRs, e.g.
     * `10.0.0.0/8`), so per-IP throttling, rate limits and the audit log see the client, not
     * the proxy. Default: none; every other hop's header is ignored, as it could be forged.
     */
    trustProxy: z.string().min(1).optional(),
    /** pino level for the server's own log. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .refine((s) => (s.tlsCert === undefined) === (s.tlsKey === undefined), {
    message: 'tlsCert and tlsKey go together: give both or neither',
    path: ['tlsCert'],
  })
  .refine((s) => s.clientCa === undefined || s.tlsCert !== undefined, {
    message: 'needs TLS: set server.tlsCert and server.tlsKey too',
    path: ['clientCa'],
  })
  .refine((s) => !s.requireClientCert || (s.clientCa !== undefined && s.tlsCert !== undefined), {
    message: 'true needs server.clientCa and TLS (server.tlsCert and server.tlsKey)',
    path: ['requireClientCert'],
  });

/**
 * The SMS gateway (`auth.sms`, and the `sms` option of `SecurityManager.authenticationManager`):
 * Twilio's Messages API or one that copies it.
 */
export const smsGatewaySchema = z
  .object({
    baseUrl: z.url().default('https://api.twilio.com'),
    accountSid: z.string().min(1),
    /** `env:NAME` or `file:PATH`: never the token itself. */
    authToken: z.string().regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be a reference, env:NAME or file:PATH, so the token stays out of configuration files'),
    /** Sending number (E.164) or alphanumeric sender id. */
    from: z.string().min(1),
  })
  .strict();

/** Where browsers reach the server (`auth.publicUrl`, and the `publicUrl` option of `authenticationManager`). */
export const publicUrlSchema = z.url({ protocol: /^https?$/ });

/** What a sign-in at `concurrentSessions` does (`auth.onSessionLimit`, and the `onSessionLimit` option of `authenticationManager`). */
export const onSessionLimitSchema = z.enum(['end_oldest', 'refuse_new']);

/**
 * The server's sign-in: the seed's `AuthenticationManager` options, checked in full by
 * AuthenticationManager when the server starts (supported MFA methods, SSO provider shapes).
 * An option that would have no effect (`publicUrl` with neither biometric nor SSO,
 * `onSessionLimit` with no session limit) is refused rather than kept and ignored.
 */
const authFieldsSchema = z
  .object({
    mfaRequired: z.boolean().default(false),
    /** `totp`, `sms`, `biometric`; from the environment as a comma-separated list. */
    mfaMethods: z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((m) => m.trim()) : v), z.array(z.string()).min(1)).default(['totp']),
    sessionTimeout: z.string().default('8h'),
    idleTimeout: z.string().default('30m'),
    /** Live sessions per user (the seed's `concurrent_sessions=1`); null for no limit. */
    concurrentSessions: z.number().int().min(1).nullable().default(1),
    /**
     * At the limit, a new sign-in `end_oldest` (ends the user's oldest session, so nobody is
     * locked out by a session left open elsewhere) or `refuse_new` (Keycloak's "deny new session").
     * Default `end_oldest`; with `concurrentSessions: null` there is no limit, so none applies.
     */
    onSessionLimit: onSessionLimitSchema.optional(),
    /** Where browsers reach this server (`https://langtrain.example.com`): SSO callback URLs and the WebAuthn origin derive from it. Only with biometric or SSO. */
    publicUrl: publicUrlSchema.optional(),
    /** Named SSO providers (the seed's `sso_providers`), e.g. `okta: { samlEndpoint, certificatePath }`. */
    ssoProviders: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /** The SMS gateway for `mfaMethods: sms`: Twilio's Messages API or one that copies it. */
    sms: smsGatewaySchema.optional(),
  })
  .strict()
  .refine((a) => !a.mfaMethods.includes('sms') || a.sms !== undefined, { message: 'mfaMethods sms needs auth.sms (baseUrl, accountSid, authToken as env:/file:, from)', path: ['sms'] })
  .refine((a) => a.onSessionLimit === undefined || a.concurrentSessions !== null, {
    message: 'has no effect with auth.concurrentSessions: null (no session limit); remove onSessionLimit, or set concurrentSessions to the live sessions a user may hold',
    path: ['onSessionLimit'],
  })
  .refine((a) => a.publicUrl === undefined || a.mfaMethods.includes('biometric') || Object.keys(a.ssoProviders).length > 0, {
    message: 'has no effect without mfaMethods biometric (WebAuthn) or auth.ssoProviders: it is only their origin and callback base; remove publicUrl, or configure one of them',
    path: ['publicUrl'],
  });

/** The auth section with its one conditional default: `onSessionLimit` `end_oldest`, when there is a session limit. */
const authSchema = authFieldsSchema.transform((a) => (a.concurrentSessions === null || a.onSessionLimit !== undefined ? a : { ...a, onSessionLimit: 'end_oldest' as const }));

/** Authorization: how decisions made through the server reach the audit log. */
const accessSchema = z
  .object({
    /** `denied` (default): every refusal; `all`: every decision (allowed ones at level detailed); `none`. */
    decisionLog: z.enum(['none', 'denied', 'all']).default('denied'),
    /** The share of logged decisions actually written (1 = all), for high-volume deployments. */
    decisionSampleRate: z.number().min(0).max(1).default(1),
  })
  .strict();

/**
 * The security monitor the server runs (threat/monitor): off unless enabled. Each threshold
 * raises an alert (null: none); defaults are the seed's. The library's
 * `SecurityMonitor.startMonitoring` takes the same options and also chooses components and metrics.
 */
const monitoringSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Failed sign-ins from one address, or against one account, within the window. */
    failedAuthAttempts: z.number().int().min(1).nullable().default(5),
    /** Data reads (secrets, subject exports, API reads) by one actor within the window. */
    unusualDataAccess: z.number().int().min(1).nullable().default(10),
    /** Drop of a model's test accuracy from one training to its next. */
    modelPerformanceDrop: z.number().gt(0).max(1).nullable().default(0.1),
    /** Grants of the all-permissions role (admin) to one principal within the window; 1: every grant. */
    privilegeEscalation: z.number().int().min(1).nullable().default(1),
    window: duration('monitoring.window').default(5 * 60_000),
    pollInterval: duration('monitoring.pollInterval').default(1_000),
    /**
     * Where the monitor streams the audit log (SecurityMonitor.configureSiemIntegration, which
     * checks the values when the monitor starts): a mapping, so only in the configuration file.
     */
    /** The webhook `notify_security_team` posts to: `{ url, secret: env:NAME or file:PATH (signs each body) }`. */
    notify: z.object({ url: z.string(), secret: z.string().optional() }).strict().optional(),
    /** Where `initiate_forensic_analysis` writes evidence bundles. */
    forensicsDir: z.string().min(1).default('.langtrain/forensics'),
    siem: z
      .object({
        siemType: z.string(),
        endpoint: z.string(),
        format: z.string().optional(),
        realTimeStreaming: z.boolean().optional(),
        /** A credential reference, env:NAME or file:PATH. */
        token: z.string().optional(),
        caFile: z.string().optional(),
        events: z.enum(['all', 'alerts']).optional(),
        backfill: z.boolean().optional(),
        sealedPayloads: z.enum(['withhold', 'send']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const configSchema = z
  .object({
    store: storeSchema.default(storeSchema.parse({})),
    audit: auditSchema.default(auditSchema.parse({})),
    crypto: cryptoSchema.default(cryptoSchema.parse({})),
    server: serverSchema.default(serverSchema.parse({})),
    auth: authSchema.default(authSchema.parse({})),
    access: accessSchema.default(accessSchema.parse({})),
    monitoring: monitoringSchema.default(monitoringSchema.parse({})),
  })
  .strict();

/** Configuration as written (YAML, env, code): every key optional. */
export type ConfigInput = z.input<typeof configSchema>;
/** Configuration after validation and unit parsing: every key present. */
export type Config = z.output<typeof configSchema>;
export type AuditConfig = Config['audit'];
export type CryptoConfig = Config['crypto'];
export type AuthConfig = Config['auth'];
export type MonitoringConfig = Config['monitoring'];
export type SmsGatewayConfig = NonNullable<AuthConfig['sms']>;
export type AuditConfigInput = z.input<typeof auditSchema>;

export const DEFAULT_CONFIG_FILE = 'langtrain.config.yaml';

export interface LoadConfigOptions {
  /** Path of the YAML file; default `langtrain.config.yaml` in the working directory, if present. */
  file?: string;
  /** Environment to read `LANGTRAIN_*` overrides from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Overrides given in code or on the command line; they win over file and environment. */
  overrides?: ConfigInput;
}

/** Read, merge and validate the configuration. Throws `ERR_CONFIG_INVALID` naming every bad path. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const fromFile = readConfigFile(options.file);
  const fromEnv = readEnvironment(options.env ?? process.env);
  const merged = mergeDeep(mergeDeep(fromFile, fromEnv), (options.overrides ?? {}) as Record<string, unknown>);
  const fromAFile = options.file !== undefined || existsSync(DEFAULT_CONFIG_FILE);
  return parseConfig(merged, fromAFile ? `configuration (${options.file ?? DEFAULT_CONFIG_FILE}, environment, options)` : 'configuration');
}

export function parseConfig(input: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue, input));
  const unsupported = result.error.issues.some((i) => i.code === 'unrecognized_keys' || i.code === 'invalid_value');
  throw new LangtrainError(
    unsupported ? 'ERR_CONFIG_UNSUPPORTED_OPTION' : 'ERR_CONFIG_INVALID',
    `${source}: ${problems.join('; ')}`,
    { source, problems },
  );
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    return `unknown option ${issue.keys.map((k) => [...issue.path, k].join('.')).join(', ')} (supported: ${known.join(', ')})`;
  }
  const given = valueAt(input, issue.path);
  if (issue.code === 'invalid_value') {
    // Say what was given and what to write instead, naming the supported values once.
    const head = given.found ? `${showValue(given.value, issue.path)} is not supported; ` : '';
    const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
    if (/^Invalid (option|input)\b/.test(issue.message)) return `${path}: ${head}supported: ${values}`;
    const named = issue.values.every((v) => issue.message.includes(String(v)));
    if (!named) return `${path}: ${issue.message}; supported: ${values}`;
    return issue.message.startsWith('supported:') ? `${path}: ${head}${issue.message}` : `${path}: ${issue.message}`;
  }
  if (issue.code === 'invalid_type') {
    const what = TYPE_ADVICE[issue.expected];
    if (what !== undefined) {
      if (!given.found || given.value === undefined) return `${path}: missing; ${what.missing}`;
      const orNull = acceptsNull(issue.path) ? ' or null' : '';
      return `${path}: ${showValue(given.value, issue.path)} is not ${what.noun}; write ${what.write}${orNull}`;
    }
  }
  return issue.message.startsWith(`${path}:`) ? issue.message : `${path}: ${issue.message}`;
}

/** What to write instead of a value of the wrong type, by the type zod expected. */
const TYPE_ADVICE: Partial<Record<string, { noun: string; write: string; missing: string }>> = {
  boolean: { noun: 'true or false', write: 'true or false', missing: 'write true or false' },
  number: { noun: 'a number', write: 'a number', missing: 'write a number' },
  int: { noun: 'a whole number', write: 'a whole number', missing: 'write a whole number' },
  string: { noun: 'text', write: 'text (in YAML, put it in quotes)', missing: 'add it' },
  object: { noun: 'a mapping', write: 'a mapping of keys to values (in the configuration file)', missing: 'add it' },
  record: { noun: 'a mapping', write: 'a mapping of names to settings (in the configuration file)', missing: 'add it' },
  array: { noun: 'a list', write: 'a list', missing: 'add it' },
};

/** The value at a dotted path of the merged input, for messages. */
function valueAt(input: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let at: unknown = input;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return { found: false };
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: at };
}

/** A given value as a message shows it: short text and numbers quoted, anything else by its kind. */
/**
 * Options whose values are or may hold credentials (a URL with a password, a key or its
 * reference, a token, an SSO provider's client secret): an error describes their kind only, so a
 * token left unquoted in YAML (all digits, read as a number) is never repeated.
 */
const CREDENTIAL_PATH = /(?:^|\.)(?:url|redisUrl|kek|encryptionKey|signingKey|authToken|secret|clientSecret|password|token|privateKey)$|^auth\.ssoProviders\./i;

function showValue(value: unknown, path: readonly PropertyKey[]): string {
  if (CREDENTIAL_PATH.test(path.join('.'))) return typeof value === 'string' ? 'this text' : typeof value === 'number' ? 'this number' : kindOf(value);
  if (typeof value === 'string') return value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}…` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return kindOf(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'boolean' ? 'a boolean' : typeof value;
}

/** Whether the option at `section.key` takes null (e.g. `auth.concurrentSessions: null`, no limit). */
function acceptsNull(path: readonly PropertyKey[]): boolean {
  if (path.length !== 2) return false;
  const shape = SECTIONS[path[0] as keyof typeof SECTIONS] as Record<PropertyKey, z.ZodType> | undefined;
  const schema = shape?.[path[1]!];
  return schema !== undefined && schema.safeParse(null).success;
}

/** The keys of the mapping at `path`: the sections, a section's keys, or a nested mapping's (monitoring.siem). */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const section = path[0] as keyof typeof SECTIONS | undefined;
  if (section === undefined) return Object.keys(SECTIONS);
  let at: z.ZodType | undefined = z.object(SECTIONS[section] ?? {});
  for (const key of path.slice(1)) {
    while (at instanceof z.ZodOptional || at instanceof z.ZodDefault || at instanceof z.ZodNullable) at = at.unwrap() as z.ZodType;
    at = at instanceof z.ZodObject ? (at.shape as Record<PropertyKey, z.ZodType>)[key] : undefined;
  }
  while (at instanceof z.ZodOptional || at instanceof z.ZodDefault || at instanceof z.ZodNullable) at = at.unwrap() as z.ZodType;
  return at instanceof z.ZodObject ? Object.keys(at.shape) : [];
}

const SECTIONS = {
  store: storeSchema.shape,
  audit: auditSchema.shape,
  crypto: cryptoSchema.shape,
  server: serverSchema.shape,
  auth: authFieldsSchema.shape,
  access: accessSchema.shape,
  monitoring: monitoringSchema.shape,
} as const;

function readConfigFile(file: string | undefined): Record<string, unknown> {
  const path = file ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(path)) {
    if (file !== undefined) {
      throw new LangtrainError('ERR_CONFIG_INVALID', `configuration file ${path} does not exist`, { source: path });
    }
    return {};
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LangtrainError('ERR_CONFIG_INVALID', `${path}: not valid YAML: ${(err as Error).message}`, { source: path });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LangtrainError('ERR_CONFIG_INVALID', `${path}: the top level must be a mapping of sections (store, audit, crypto, server, auth, access, monitoring)`, {
      source: path,
    });
  }
  refuseBareDurations(parsed as Record<string, unknown>, path);
  return parsed as Record<string, unknown>;
}

/**
 * A duration written in a file or the environment must say its unit: a bare number is read as
 * milliseconds where code passes it, and `retentionPeriod: 7` meant as seven years would prune
 * every audit payload within the hour. Code, which passes milliseconds by Node's convention,
 * still may.
 */
function refuseBareDurations(fromFile: Record<string, unknown>, path: string): void {
  for (const [section, values] of Object.entries(fromFile)) {
    if (!isPlainObject(values)) continue;
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== 'number' || !isDurationKey(section, key)) continue;
      throw new LangtrainError('ERR_CONFIG_INVALID', `${path}: ${section}.${key}: ${value} has no unit; write a whole number and a unit (ms, s, m, h, d, w, y), e.g. "${value}d" or "${value}y", or "${value}ms" for milliseconds`, { source: path, path: `${section}.${key}` });
    }
  }
}

function isDurationKey(section: string, key: string): boolean {
  return DURATION_KEYS.has(`${section}.${key}`);
}

/**
 * `LANGTRAIN_<SECTION>_<KEY>` in SCREAMING_SNAKE_CASE sets `section.key`, e.g.
 * `LANGTRAIN_AUDIT_CHECKPOINT_EVERY=500`. An unknown `LANGTRAIN_*` name is an error, so a
 * typo never silently leaves a default in place.
 */
export function readEnvironment(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('LANGTRAIN_') || raw === undefined) continue;
    const target = ENV_NAMES.get(name);
    if (!target) {
      throw new LangtrainError(
        'ERR_CONFIG_UNSUPPORTED_OPTION',
        `environment variable ${name} is not a LangTrain option (supported: ${[...ENV_NAMES].filter(([, t]) => t[2] !== 'file').map(([n]) => n).join(', ')})`,
        { source: 'environment', name },
      );
    }
    const [section, key, kind, nullable, takesText] = target;
    if (kind === 'file') {
      throw new LangtrainError(
        'ERR_CONFIG_UNSUPPORTED_OPTION',
        `environment variable ${name}: ${section}.${key} can only be set in the configuration file (a mapping under "${section}:" in ${DEFAULT_CONFIG_FILE}, or the file named by --config); unset ${name}`,
        { source: 'environment', name },
      );
    }
    // a duration keeps its text, so a bare number is refused by its parser rather than read as milliseconds
    (out[section] ??= {})[key] = isDurationKey(section, key) ? raw : coerceEnv(raw, kind, nullable, takesText);
  }
  return out;
}

/** `file`: a mapping (auth.sms, auth.ssoProviders), which only the configuration file can give. */
type EnvKind = 'string' | 'number' | 'boolean' | 'file';

const ENV_NAMES: Map<string, [section: string, key: string, kind: EnvKind, nullable: boolean, takesText: boolean]> = new Map(
  Object.entries(SECTIONS).flatMap(([section, shape]) =>
    Object.entries(shape).map(([key, schema]) => {
      const envName = `LANGTRAIN_${section}_${key.replace(/[A-Z]/g, (c) => `_${c}`)}`.toUpperCase();
      return [envName, [section, key, envKindOf(schema as z.ZodType), (schema as z.ZodType).safeParse(null).success, takesText(schema as z.ZodType)]] as const;
    }),
  ),
);

/** The options that are durations: numbers that also read "1d" (a size reads "1MiB", not "1d"). */
const DURATION_KEYS = new Set(
  Object.entries(SECTIONS).flatMap(([section, shape]) =>
    Object.entries(shape)
      .filter(([, schema]) => envKindOf(schema as z.ZodType) === 'number' && (schema as z.ZodType).safeParse('1d').success)
      .map(([key]) => `${section}.${key}`),
  ),
);

/** Whether a number option is also written as text (a duration "30d", a size "1MiB"): its parser, not the type, refuses bad text. */
function takesText(schema: z.ZodType): boolean {
  const probe = schema.safeParse('?');
  return probe.success || !probe.error.issues.some((i) => i.code === 'invalid_type');
}

function envKindOf(schema: z.ZodType): EnvKind {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
  if (inner instanceof z.ZodObject || inner instanceof z.ZodRecord) return 'file';
  // Defaults tell the kind: a number or boolean default means the option is one.
  const fallback = (schema as unknown as { def: { defaultValue?: unknown } }).def.defaultValue;
  if (typeof fallback === 'number') return 'number';
  if (typeof fallback === 'boolean') return 'boolean';
  return 'string';
}

/**
 * Numbers (`500`, `-1`, and `0.5`, `.25` for options that are not also written as text with a
 * unit, like durations, whose own parser explains a bad one) become numbers; `null` is null
 * where the option takes it.
 */
function coerceEnv(raw: string, kind: EnvKind, nullable: boolean, takesText: boolean): unknown {
  if (nullable && raw === 'null') return null;
  if (kind === 'number' && /^-?\d+$/.test(raw)) return Number(raw);
  if (kind === 'number' && !takesText && /^-?(\d+\.\d*|\.\d+)$/.test(raw)) return Number(raw);
  if (kind === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prior = out[key];
    out[key] =
      isPlainObject(prior) && isPlainObject(value) ? mergeDeep(prior, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
