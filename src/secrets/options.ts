import { z } from 'zod';
import { LangtrainError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import type { AzureTokenCredential } from './providers/azure-credential.js';
import { CREDENTIAL_REFERENCE, type CredentialReference } from '../core/credential-reference.js';
import { PROVIDER_NAMES } from './provider.js';

/**
 * The seed's `SecretsManager(provider, encryption, rotation_schedule, access_logging)` in
 * camelCase, plus one section for the chosen remote provider. Checked once here; an unknown
 * option, a section for another provider or an unsupported value is refused by name.
 * Credentials are references (`env:NAME`, `file:PATH`), so options can be logged.
 */

const reference = z
  .string()
  .regex(CREDENTIAL_REFERENCE, 'must be a reference, env:NAME or file:PATH, never the credential itself')
  .transform((r) => r as CredentialReference);

const timeoutMs = z.number().int().min(100).max(300_000).default(10_000);

const vaultSchema = z.strictObject({
  address: z.string().min(1),
  token: reference,
  mount: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'must be a mount path such as secret or team/kv, without leading or trailing /')
    .default('secret'),
  namespace: z.string().min(1).optional(),
  cas: z.boolean().default(false),
  timeoutMs,
});

const awsSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$/, 'must be an AWS region such as eu-west-1'),
  endpoint: z.string().min(1).optional(),
  credentials: z
    .strictObject({ accessKeyId: reference, secretAccessKey: reference, sessionToken: reference.optional() })
    .optional(),
  kmsKeyId: z.string().min(1).optional(),
  recoveryWindowDays: z.number().int().min(7).max(30).default(30),
  forceDeleteWithoutRecovery: z.boolean().default(false),
  maxAttempts: z.number().int().min(1).max(10).default(3),
  timeoutMs,
});

const azureSchema = z
  .strictObject({
    vaultUrl: z.string().min(1),
    accessToken: reference.optional(),
    clientSecret: z
      .strictObject({
        tenantId: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a tenant id or domain'),
        clientId: z.string().min(1),
        secret: reference,
        authorityHost: z.string().min(1).default('https://login.microsoftonline.com'),
      })
      .optional(),
    credential: z.custom<AzureTokenCredential>((v) => typeof (v as AzureTokenCredential | undefined)?.getToken === 'function', 'must be a TokenCredential (an object with getToken)').optional(),
    scope: z.string().min(1).default('https://vault.azure.net/.default'),
    timeoutMs,
  })
  .refine((o) => [o.accessToken, o.clientSecret, o.credential].filter((c) => c !== undefined).length === 1, {
    message: 'give exactly one of accessToken, clientSecret, credential',
  });

/** Each remote provider's section, named as the provider in camelCase. */
export const PROVIDER_SECTION = { vault: 'vault', aws_secrets_manager: 'awsSecretsManager', azure_kv: 'azureKv' } as const;

export const ENCRYPTIONS = ['AES-256', 'AES-256-GCM'] as const;

const optionsSchema = z
  .strictObject({
    provider: z.enum(PROVIDER_NAMES).default('local'),
    encryption: z.enum(ENCRYPTIONS).default('AES-256-GCM'),
    rotationSchedule: z
      .string()
      .nullable()
      .default(null)
      .transform((text, ctx) => {
        if (text === null) return null;
        try {
          return parseDuration(text, 'rotationSchedule');
        } catch (err) {
          ctx.issues.push({ code: 'custom', message: (err as Error).message, input: text });
          return z.NEVER;
        }
      }),
    accessLogging: z.boolean().default(true),
    vault: vaultSchema.optional(),
    awsSecretsManager: awsSchema.optional(),
    azureKv: azureSchema.optional(),
  })
  .superRefine((o, ctx) => {
    for (const [provider, section] of Object.entries(PROVIDER_SECTION)) {
      if (o[section] !== undefined && o.provider !== provider) {
        ctx.addIssue({ code: 'custom', path: [section], message: `${section} configures provider ${provider}, but provider is ${o.provider}`, params: { unsupported: true } });
      }
      if (o[section] === undefined && o.provider === provider) {
        ctx.addIssue({ code: 'custom', path: [section], message: `provider ${provider} needs its section ${section}` });
      }
    }
  });

export type SecretsManagerOptions = z.input<typeof optionsSchema>;
export type SecretsManagerSettings = z.output<typeof optionsSchema>;

export function parseSecretsManagerOptions(input: unknown): SecretsManagerSettings {
  const parsed = optionsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const problems = issues.map(describeIssue);
  const unsupported = issues.some((i) => i.code === 'unrecognized_keys' || i.code === 'invalid_value' || (i.code === 'custom' && i.params?.['unsupported'] === true));
  throw new LangtrainError(unsupported ? 'ERR_CONFIG_UNSUPPORTED_OPTION' : 'ERR_CONFIG_INVALID', `SecretsManager: ${problems.join('; ')}`, { problems });
}

/** Names the option and the rule; never echoes a value (a misplaced credential would show). */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  const at = path === '' ? '' : `${path}: `;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `unknown option ${[...issue.path, k].join('.')} (supported: ${supportedAt(issue.path).join(', ')})`).join('; ');
  }
  if (issue.code === 'invalid_value') return `${at}not supported; supported: ${issue.values.map((v) => String(v)).join(', ')}`;
  if (issue.code === 'invalid_type') return `${at}expected ${issue.expected}`;
  return `${at}${issue.message}`;
}

function supportedAt(path: readonly PropertyKey[]): string[] {
  const shapes: Record<string, z.ZodObject> = { vault: vaultSchema, awsSecretsManager: awsSchema, azureKv: azureSchema as unknown as z.ZodObject };
  if (path.length === 0) return ['provider', 'encryption', 'rotationSchedule', 'accessLogging', ...Object.values(PROVIDER_SECTION)];
  const section = shapes[String(path[0])];
  if (path.length === 1 && section) return Object.keys(section.shape);
  if (path[0] === 'awsSecretsManager' && path[1] === 'credentials') return ['accessKeyId', 'secretAccessKey', 'sessionToken'];
  if (path[0] === 'azureKv' && path[1] === 'clientSecret') return ['tenantId', 'clientId', 'secret', 'authorityHost'];
  return [];
}
