import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  type DescribeSecretCommandOutput,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { LangtrainError, isLangtrainError, type ErrorCode } from '../../core/errors.js';
import type { SecretSummary, SecretTags, SecretValue, SecretVersionInfo, SecretsProvider, StoredSecretVersion } from '../provider.js';
import { checkEndpoint } from './check-endpoint.js';
import { readCredential, type CredentialReference } from '../../core/credential-reference.js';
import { codeForStatus, providerError } from './provider-error.js';
import { unexpectedAnswer } from './read-answer.js';

/**
 * AWS Secrets Manager through the official SDK, `@aws-sdk/client-secrets-manager`
 * (CreateSecret, PutSecretValue, GetSecretValue, DescribeSecret, ListSecrets,
 * ListSecretVersionIds, TagResource/UntagResource, DeleteSecret). Values are `SecretString`s;
 * versions are AWS VersionIds; tags are the secret's AWS tags. `deleteSecret` schedules
 * deletion with a recovery window (`recoveryWindowDays`, 7–30, AWS's default 30) or, with
 * `forceDeleteWithoutRecovery`, at once; until AWS removes it the name cannot be reused.
 * At rest AWS encrypts each value under a KMS key (`kmsKeyId`, default `aws/secretsmanager`)
 * with AES-256-GCM.
 *
 * Tested against: a stand-in of the Secrets Manager JSON 1.1 API written from the API
 * reference (test/secrets/stand-ins/aws-secrets-manager.ts: node:http on 127.0.0.1, reached
 * through `endpoint`; it checks `X-Amz-Target`, the content type, the SigV4 Authorization
 * header's access key and scope, and the JSON body of each operation, but not the signature
 * itself), with static test credentials. Not tested against AWS itself.
 */
export interface AwsSecretsManagerProviderOptions {
  region: string;
  /** Another endpoint (a VPC endpoint, LocalStack); plain http only to loopback. */
  endpoint?: string;
  /** By reference; omitted: the SDK's default chain (AWS_* variables, shared files, instance roles). */
  credentials?: { accessKeyId: CredentialReference; secretAccessKey: CredentialReference; sessionToken?: CredentialReference };
  /** KMS key for new secrets (id, ARN or alias). */
  kmsKeyId?: string;
  recoveryWindowDays: number;
  forceDeleteWithoutRecovery: boolean;
  /** SDK attempts per call, retries included. */
  maxAttempts: number;
  timeoutMs: number;
}

/** AWS names its errors; these decide the code before the HTTP status does (AWS answers most with 400). */
const AWS_ERROR_CODES: Record<string, ErrorCode> = {
  ResourceNotFoundException: 'ERR_NOT_FOUND',
  AccessDeniedException: 'ERR_PROVIDER_DENIED',
  UnrecognizedClientException: 'ERR_PROVIDER_DENIED',
  InvalidSignatureException: 'ERR_PROVIDER_DENIED',
  SignatureDoesNotMatch: 'ERR_PROVIDER_DENIED',
  IncompleteSignature: 'ERR_PROVIDER_DENIED',
  MissingAuthenticationToken: 'ERR_PROVIDER_DENIED',
  InvalidClientTokenId: 'ERR_PROVIDER_DENIED',
  ExpiredTokenException: 'ERR_PROVIDER_DENIED',
  ThrottlingException: 'ERR_RATE_LIMITED',
  DecryptionFailure: 'ERR_CRYPTO_DECRYPT_FAILED',
  InternalServiceError: 'ERR_STORE_UNAVAILABLE',
};

interface AwsError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

export class AwsSecretsManagerProvider implements SecretsProvider {
  readonly name = 'aws_secrets_manager' as const;
  readonly atRestEncryption = 'AES-256-GCM' as const;
  readonly #client: SecretsManagerClient;
  readonly #sensitive: () => string[];

  constructor(private readonly options: AwsSecretsManagerProviderOptions) {
    const endpoint = options.endpoint === undefined ? undefined : checkEndpoint(options.endpoint, 'awsSecretsManager.endpoint').toString();
    const refs = options.credentials;
    this.#sensitive = () => (refs ? [readCredential(refs.secretAccessKey, 'secret access key'), ...(refs.sessionToken ? [readCredential(refs.sessionToken, 'session token')] : [])] : []);
    this.#client = new SecretsManagerClient({
      region: options.region,
      ...(endpoint ? { endpoint } : {}),
      maxAttempts: options.maxAttempts,
      requestHandler: { requestTimeout: options.timeoutMs, connectionTimeout: options.timeoutMs },
      ...(refs
        ? {
            // A provider function, so the references are read when the SDK first signs, not here.
            credentials: async () => ({
              accessKeyId: readCredential(refs.accessKeyId, 'awsSecretsManager.credentials.accessKeyId'),
              secretAccessKey: readCredential(refs.secretAccessKey, 'awsSecretsManager.credentials.secretAccessKey'),
              ...(refs.sessionToken ? { sessionToken: readCredential(refs.sessionToken, 'awsSecretsManager.credentials.sessionToken') } : {}),
            }),
          }
        : {}),
    });
  }

  async put(name: string, value: string, tags: SecretTags | undefined): Promise<StoredSecretVersion> {
    const operation = `writing secret ${name}`;
    let versionId: string | undefined;
    try {
      versionId = (await this.#send(operation, [value], (client) => client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value })))).VersionId;
    } catch (err) {
      if (isLangtrainError(err, 'ERR_NOT_FOUND')) {
        versionId = await this.#create(name, value, tags ?? {});
        tags = undefined; // set by CreateSecret
      } else {
        throw await this.#explainDeleted(name, err, operation);
      }
    }
    if (versionId === undefined) throw unexpectedAnswer(this.name, operation, 'no VersionId');
    if (tags) await this.#retag(name, tags);
    // PutSecretValue does not return the version's creation time: this is when AWS acknowledged it.
    return { name, version: versionId, createdAt: new Date().toISOString() };
  }

  async get(name: string, version?: string): Promise<SecretValue> {
    const operation = `reading secret ${name}`;
    if (version !== undefined && !/^[A-Za-z0-9-]{32,64}$/.test(version)) {
      throw new LangtrainError('ERR_NOT_FOUND', `secret ${name} has no such version: AWS version ids are 32-64 letters, digits and -`, { name });
    }
    let out;
    try {
      out = await this.#send(operation, [], (client) => client.send(new GetSecretValueCommand({ SecretId: name, ...(version === undefined ? {} : { VersionId: version }) })));
    } catch (err) {
      throw await this.#explainDeleted(name, err, operation);
    }
    if (typeof out.SecretString !== 'string') throw unexpectedAnswer(this.name, operation, 'the secret holds SecretBinary, not a string');
    if (!out.VersionId || !out.CreatedDate) throw unexpectedAnswer(this.name, operation, 'no VersionId or CreatedDate');
    const described = await this.#describe(name, operation);
    return { name, version: out.VersionId, value: out.SecretString, tags: fromAwsTags(described.Tags), createdAt: out.CreatedDate.toISOString() };
  }

  async describe(name: string): Promise<SecretSummary> {
    const operation = `describing secret ${name}`;
    const described = await this.#describe(name, operation);
    if (described.DeletedDate) throw deleted(name, described.DeletedDate);
    return { name, version: currentOf(described.VersionIdsToStages, this.name, operation), tags: fromAwsTags(described.Tags), createdAt: null };
  }

  async list(): Promise<SecretSummary[]> {
    const operation = 'listing secrets';
    const out: SecretSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#send(operation, [], (client) => client.send(new ListSecretsCommand({ MaxResults: 100, IncludePlannedDeletion: false, ...(nextToken ? { NextToken: nextToken } : {}) })));
      for (const entry of page.SecretList ?? []) {
        if (!entry.Name || entry.DeletedDate) continue;
        out.push({ name: entry.Name, version: currentOf(entry.SecretVersionsToStages, this.name, operation), tags: fromAwsTags(entry.Tags), createdAt: null });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async versions(name: string): Promise<SecretVersionInfo[]> {
    const operation = `listing versions of secret ${name}`;
    const described = await this.#describe(name, operation);
    const gone = described.DeletedDate !== undefined;
    const out: SecretVersionInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#send(operation, [], (client) => client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) })));
      for (const v of page.Versions ?? []) {
        if (!v.VersionId || !v.CreatedDate) throw unexpectedAnswer(this.name, operation, 'a version without VersionId or CreatedDate');
        out.push({ version: v.VersionId, createdAt: v.CreatedDate.toISOString(), current: !gone && (v.VersionStages ?? []).includes('AWSCURRENT'), destroyed: gone });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async delete(name: string): Promise<void> {
    const operation = `deleting secret ${name}`;
    const described = await this.#describe(name, operation);
    if (described.DeletedDate) throw deleted(name, described.DeletedDate);
    const window = this.options.forceDeleteWithoutRecovery ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: this.options.recoveryWindowDays };
    await this.#send(operation, [], (client) => client.send(new DeleteSecretCommand({ SecretId: name, ...window })));
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #create(name: string, value: string, tags: SecretTags): Promise<string | undefined> {
    const operation = `creating secret ${name}`;
    const input = {
      Name: name,
      SecretString: value,
      ...(Object.keys(tags).length > 0 ? { Tags: toAwsTags(tags) } : {}),
      ...(this.options.kmsKeyId ? { KmsKeyId: this.options.kmsKeyId } : {}),
    };
    try {
      return (await this.#send(operation, [value], (client) => client.send(new CreateSecretCommand(input)))).VersionId;
    } catch (err) {
      const e = err as LangtrainError;
      if (e.details?.['providerCode'] !== 'ResourceExistsException') throw err;
      // Another writer created it between our PutSecretValue and CreateSecret: write on top.
      const versionId = (await this.#send(operation, [value], (client) => client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value })))).VersionId;
      await this.#retag(name, tags);
      return versionId;
    }
  }

  /** Make the secret's tags exactly `tags` (AWS tags are per secret, not per version). */
  async #retag(name: string, tags: SecretTags): Promise<void> {
    const operation = `tagging secret ${name}`;
    const current = fromAwsTags((await this.#describe(name, operation)).Tags);
    const removed = Object.keys(current).filter((key) => !(key in tags));
    if (removed.length > 0) await this.#send(operation, [], (client) => client.send(new UntagResourceCommand({ SecretId: name, TagKeys: removed })));
    const changed = Object.entries(tags).filter(([key, value]) => current[key] !== value);
    if (changed.length > 0) await this.#send(operation, [], (client) => client.send(new TagResourceCommand({ SecretId: name, Tags: toAwsTags(Object.fromEntries(changed)) })));
  }

  #describe(name: string, operation: string): Promise<DescribeSecretCommandOutput> {
    return this.#send(operation, [], (client) => client.send(new DescribeSecretCommand({ SecretId: name })));
  }

  /**
   * AWS answers InvalidRequestException for a secret scheduled for deletion; say so plainly
   * (ERR_NOT_FOUND for reads, a reuse hint for writes) instead of passing AWS's text on.
   */
  async #explainDeleted(name: string, err: unknown, operation: string): Promise<unknown> {
    if (!isLangtrainError(err) || err.details['providerCode'] !== 'InvalidRequestException') return err;
    const described = await this.#describe(name, operation).catch(() => undefined);
    if (!described?.DeletedDate) return err;
    if (operation.startsWith('writing')) {
      return new LangtrainError('ERR_INVALID_INPUT', `AWS Secrets Manager: secret ${name} is scheduled for deletion (since ${described.DeletedDate.toISOString()}); its name cannot be reused until AWS removes it or it is restored (RestoreSecret)`, { name, provider: this.name });
    }
    return deleted(name, described.DeletedDate);
  }

  /** Run one SDK call, turning its failure into a LangtrainError that quotes nothing sensitive. */
  async #send<T>(operation: string, sensitive: string[], call: (client: SecretsManagerClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.#client);
    } catch (err) {
      if (isLangtrainError(err)) throw err; // a credential reference that could not be read
      throw this.#error(err as AwsError, operation, sensitive);
    }
  }

  #error(err: AwsError, operation: string, sensitive: string[]): LangtrainError {
    const status = err.$metadata?.httpStatusCode;
    const secrets = [...sensitive, ...safe(this.#sensitive)];
    if (status === undefined) {
      // No answer: connection refused, DNS, timeout. The SDK's message names the cause.
      return providerError({ provider: this.name, operation, providerMessage: `no answer: ${err.code ?? err.name ?? 'network error'}`, sensitive: secrets });
    }
    const code = (err.name && AWS_ERROR_CODES[err.name]) || codeForStatus(status);
    return providerError({
      provider: this.name,
      operation,
      status,
      ...(err.name ? { providerCode: err.name } : {}),
      ...(err.message ? { providerMessage: err.message } : {}),
      sensitive: secrets,
      code,
    });
  }
}

function safe(read: () => string[]): string[] {
  try {
    return read();
  } catch {
    return [];
  }
}

function deleted(name: string, when: Date): LangtrainError {
  return new LangtrainError('ERR_NOT_FOUND', `secret ${name} was deleted in AWS Secrets Manager on ${when.toISOString()}`, { name });
}

function currentOf(stages: Record<string, string[]> | undefined, provider: 'aws_secrets_manager', operation: string): string {
  const current = Object.entries(stages ?? {}).find(([, labels]) => labels.includes('AWSCURRENT'));
  if (!current) throw unexpectedAnswer(provider, operation, 'no version is labelled AWSCURRENT');
  return current[0];
}

function toAwsTags(tags: SecretTags): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function fromAwsTags(tags: Tag[] | undefined): SecretTags {
  const out: SecretTags = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}
