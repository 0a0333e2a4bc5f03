import { randomBytes, randomUUID } from 'node:crypto';
import { HttpStandIn, isObject, parseJson, type RecordedRequest, type Reply } from './http-stand-in.js';

/**
 * A stand-in for the AWS Secrets Manager API (JSON 1.1 protocol), written from the API
 * reference (https://docs.aws.amazon.com/secretsmanager/latest/apireference/) — only the
 * operations the `aws_secrets_manager` provider calls: CreateSecret, PutSecretValue,
 * GetSecretValue, DescribeSecret, ListSecrets, ListSecretVersionIds, TagResource,
 * UntagResource, DeleteSecret.
 *
 * Each request must be `POST /` with `X-Amz-Target: secretsmanager.<Operation>`, content type
 * `application/x-amz-json-1.1`, an `X-Amz-Date` and a SigV4 `Authorization` header whose
 * credential scope names the expected access key, region and service `secretsmanager`. The
 * signature itself is not verified. Bodies are checked for the documented fields; answers
 * use the documented shapes (epoch-second dates, `__type` errors with `x-amzn-ErrorType`).
 * Versions move AWSCURRENT/AWSPREVIOUS as AWS does. List pages hold two entries, so callers
 * must follow NextToken.
 */
export interface AwsStandInOptions {
  accessKeyId: string;
  region: string;
  /** Access keys that are recognised but denied every action (AccessDeniedException). */
  deniedAccessKeyIds?: string[];
}

interface Version {
  id: string;
  value: string;
  created: number;
  stages: string[];
  token: string;
}

interface Secret {
  name: string;
  arn: string;
  tags: Array<{ Key: string; Value: string }>;
  versions: Version[];
  created: number;
  changed: number;
  deleted?: number;
  kmsKeyId?: string;
}

const PAGE = 2;

export class AwsSecretsManagerStandIn {
  readonly secrets = new Map<string, Secret>();

  private constructor(
    readonly http: HttpStandIn,
    private readonly options: AwsStandInOptions,
  ) {}

  static async start(options: AwsStandInOptions): Promise<AwsSecretsManagerStandIn> {
    let standIn: AwsSecretsManagerStandIn | undefined;
    const http = await HttpStandIn.start((request) => standIn!.handle(request), 'application/x-amz-json-1.1');
    standIn = new AwsSecretsManagerStandIn(http, options);
    return standIn;
  }

  get url(): string {
    return this.http.url;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  handle(request: RecordedRequest): Reply {
    if (request.method !== 'POST' || request.path !== '/') return awsError(404, 'UnknownOperationException', 'only POST / is served');
    const auth = String(request.headers['authorization'] ?? '');
    if (!auth) return awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const scope = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]{64}$/.exec(auth);
    if (!scope) return awsError(400, 'IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature');
    if (!request.headers['x-amz-date']) return awsError(400, 'IncompleteSignatureException', 'X-Amz-Date is required');
    const [, keyId, , region, service] = scope;
    const denied = (this.options.deniedAccessKeyIds ?? []).includes(keyId!);
    if (keyId !== this.options.accessKeyId && !denied) return awsError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (region !== this.options.region || service !== 'secretsmanager') return awsError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region and service secretsmanager`);
    if (!String(request.headers['content-type']).startsWith('application/x-amz-json-1.1')) return awsError(400, 'SerializationException', 'content type must be application/x-amz-json-1.1');
    const target = /^secretsmanager\.(\w+)$/.exec(String(request.headers['x-amz-target'] ?? ''));
    if (!target) return awsError(400, 'UnknownOperationException', 'X-Amz-Target is missing or not secretsmanager.<Operation>');
    let body: unknown;
    try {
      body = parseJson(request.body) ?? {};
    } catch {
      return awsError(400, 'SerializationException', 'body is not JSON');
    }
    if (!isObject(body)) return awsError(400, 'SerializationException', 'body must be a JSON object');
    const operation = target[1]!;
    if (denied) {
      return awsError(400, 'AccessDeniedException', `User: arn:aws:iam::123456789012:user/denied is not authorized to perform: secretsmanager:${operation} because no identity-based policy allows the secretsmanager:${operation} action`);
    }
    switch (operation) {
      case 'CreateSecret':
        return this.create(body);
      case 'PutSecretValue':
        return this.put(body);
      case 'GetSecretValue':
        return this.get(body);
      case 'DescribeSecret':
        return this.describe(body);
      case 'ListSecrets':
        return this.list(body);
      case 'ListSecretVersionIds':
        return this.listVersions(body);
      case 'TagResource':
        return this.tag(body);
      case 'UntagResource':
        return this.untag(body);
      case 'DeleteSecret':
        return this.delete(body);
      default:
        return awsError(400, 'UnknownOperationException', `operation ${operation} is not served by this stand-in`);
    }
  }

  private create(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { Name: 'string', SecretString: 'string', ClientRequestToken: 'string?', Tags: 'tags?', KmsKeyId: 'string?', Description: 'string?' });
    if (invalid) return invalid;
    const name = body['Name'] as string;
    const existing = this.secrets.get(name);
    if (existing?.deleted) return awsError(400, 'InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
    if (existing) return awsError(400, 'ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    const now = Date.now() / 1000;
    const secret: Secret = {
      name,
      arn: `arn:aws:secretsmanager:${this.options.region}:123456789012:secret:${name}-${randomBytes(3).toString('hex')}`,
      tags: (body['Tags'] as Secret['tags'] | undefined) ?? [],
      versions: [],
      created: now,
      changed: now,
      ...(typeof body['KmsKeyId'] === 'string' ? { kmsKeyId: body['KmsKeyId'] } : {}),
    };
    this.secrets.set(name, secret);
    const version = this.addVersion(secret, body['SecretString'] as string, (body['ClientRequestToken'] as string | undefined) ?? randomUUID());
    return ok({ ARN: secret.arn, Name: name, VersionId: version.id });
  }

  private put(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { SecretId: 'string', SecretString: 'string', ClientRequestToken: 'string?' });
    if (invalid) return invalid;
    const found = this.find(body['SecretId']);
    if ('status' in found) return found;
    if (found.deleted) return markedForDeletion();
    const token = (body['ClientRequestToken'] as string | undefined) ?? randomUUID();
    const same = found.versions.find((v) => v.token === token);
    if (same) {
      if (same.value !== body['SecretString']) return awsError(400, 'ResourceExistsException', 'You can\'t modify an existing version, you can only create a new version.');
      return ok({ ARN: found.arn, Name: found.name, VersionId: same.id, VersionStages: same.stages });
    }
    const version = this.addVersion(found, body['SecretString'] as string, token);
    return ok({ ARN: found.arn, Name: found.name, VersionId: version.id, VersionStages: version.stages });
  }

  private get(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { SecretId: 'string', VersionId: 'string?', VersionStage: 'string?' });
    if (invalid) return invalid;
    const found = this.find(body['SecretId']);
    if ('status' in found) return found;
    if (found.deleted) return markedForDeletion();
    const versionId = body['VersionId'];
    if (typeof versionId === 'string' && (versionId.length < 32 || versionId.length > 64)) {
      return awsError(400, 'ValidationException', "1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must have length between 32 and 64");
    }
    const stage = (body['VersionStage'] as string | undefined) ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
    const version = found.versions.find((v) => (versionId === undefined || v.id === versionId) && (stage === undefined || v.stages.includes(stage)));
    if (!version) return awsError(400, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${String(versionId)}`);
    return ok({ ARN: found.arn, Name: found.name, VersionId: version.id, SecretString: version.value, VersionStages: version.stages, CreatedDate: version.created });
  }

  private describe(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { SecretId: 'string' });
    if (invalid) return invalid;
    const found = this.find(body['SecretId']);
    if ('status' in found) return found;
    return ok({
      ARN: found.arn,
      Name: found.name,
      ...(found.kmsKeyId ? { KmsKeyId: found.kmsKeyId } : {}),
      Tags: found.tags,
      VersionIdsToStages: stagesOf(found),
      CreatedDate: found.created,
      LastChangedDate: found.changed,
      ...(found.deleted ? { DeletedDate: found.deleted } : {}),
    });
  }

  private list(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { MaxResults: 'number?', NextToken: 'string?', IncludePlannedDeletion: 'boolean?', Filters: 'array?', SortOrder: 'string?' });
    if (invalid) return invalid;
    const all = [...this.secrets.values()].filter((s) => body['IncludePlannedDeletion'] === true || !s.deleted).sort((a, b) => a.name.localeCompare(b.name));
    const start = Number(body['NextToken'] ?? 0);
    const size = Math.min(PAGE, Number(body['MaxResults'] ?? 100));
    const page = all.slice(start, start + size);
    return ok({
      SecretList: page.map((s) => ({ ARN: s.arn, Name: s.name, Tags: s.tags, SecretVersionsToStages: stagesOf(s), CreatedDate: s.created, LastChangedDate: s.changed, ...(s.deleted ? { DeletedDate: s.deleted } : {}) })),
      ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
    });
  }

  private listVersions(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { SecretId: 'string', MaxResults: 'number?', NextToken: 'string?', IncludeDeprecated: 'boolean?' });
    if (invalid) return invalid;
    const found = this.find(body['SecretId']);
    if ('status' in found) return found;
    const all = found.versions.filter((v) => body['IncludeDeprecated'] === true || v.stages.length > 0);
    const start = Number(body['NextToken'] ?? 0);
    const page = all.slice(start, start + PAGE);
    return ok({
      ARN: found.arn,
      Name: found.name,
      Versions: page.map((v) => ({ VersionId: v.id, VersionStages: v.stages, CreatedDate: v.created })),
      ...(start + PAGE < all.length ? { NextToken: String(start + PAGE) } : {}),
    });
  }

  private tag(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { SecretId: 'string', Tags: 'tags' });
    if (invalid) return invalid;
    const found = this.find(body['SecretId']);
    if ('status' in found) return found;
    for (const tag of body['Tags'] as Secret['tags']) {
      found.tags = [...found.tags.filter((t) => t.Key !== tag.Key), tag];
    }
    found.changed = Date.now() / 1000;
    return { status: 200 };
  }

  private untag(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { SecretId: 'string', TagKeys: 'array' });
    if (invalid) return invalid;
    const found = this.find(body['SecretId']);
    if ('status' in found) return found;
    const keys = body['TagKeys'] as string[];
    found.tags = found.tags.filter((t) => !keys.includes(t.Key));
    found.changed = Date.now() / 1000;
    return { status: 200 };
  }

  private delete(body: Record<string, unknown>): Reply {
    const invalid = fields(body, { SecretId: 'string', RecoveryWindowInDays: 'number?', ForceDeleteWithoutRecovery: 'boolean?' });
    if (invalid) return invalid;
    if (body['RecoveryWindowInDays'] !== undefined && body['ForceDeleteWithoutRecovery'] === true) {
      return awsError(400, 'InvalidParameterException', 'You can\'t use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.');
    }
    const window = body['RecoveryWindowInDays'] as number | undefined;
    if (window !== undefined && (window < 7 || window > 30)) return awsError(400, 'InvalidParameterException', 'RecoveryWindowInDays must be between 7 and 30');
    const found = this.find(body['SecretId']);
    if ('status' in found) return found;
    if (found.deleted) return awsError(400, 'InvalidRequestException', 'You can\'t perform this operation on the secret because it was already scheduled for deletion.');
    const now = Date.now() / 1000;
    if (body['ForceDeleteWithoutRecovery'] === true) this.secrets.delete(found.name);
    else found.deleted = now;
    return ok({ ARN: found.arn, Name: found.name, DeletionDate: now + (window ?? 30) * 86_400 * (body['ForceDeleteWithoutRecovery'] === true ? 0 : 1) });
  }

  private addVersion(secret: Secret, value: string, token: string): Version {
    for (const v of secret.versions) {
      if (v.stages.includes('AWSPREVIOUS')) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    const version: Version = { id: token, value, created: Date.now() / 1000, stages: ['AWSCURRENT'], token };
    secret.versions.push(version);
    secret.changed = version.created;
    return version;
  }

  private find(id: unknown): Secret | Reply {
    const secret = typeof id === 'string' ? (this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id)) : undefined;
    return secret ?? awsError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }
}

type FieldKind = 'string' | 'number' | 'boolean' | 'array' | 'tags';

/** ValidationException for a missing required field, a wrong type, or an unknown field. */
function fields(body: Record<string, unknown>, spec: Record<string, `${FieldKind}` | `${FieldKind}?`>): Reply | undefined {
  for (const key of Object.keys(body)) {
    if (!(key in spec)) return awsError(400, 'ValidationException', `unknown field ${key}`);
  }
  for (const [key, kindSpec] of Object.entries(spec)) {
    const optional = kindSpec.endsWith('?');
    const kind = kindSpec.replace('?', '') as FieldKind;
    const value = body[key];
    if (value === undefined) {
      if (optional) continue;
      return awsError(400, 'ValidationException', `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);
    }
    const fits =
      kind === 'array'
        ? Array.isArray(value)
        : kind === 'tags'
          ? Array.isArray(value) && value.every((t) => isObject(t) && typeof t['Key'] === 'string' && typeof t['Value'] === 'string')
          : typeof value === kind;
    if (!fits) return awsError(400, 'ValidationException', `field ${key} must be ${kind}`);
  }
  return undefined;
}

function stagesOf(secret: Secret): Record<string, string[]> {
  return Object.fromEntries(secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, v.stages]));
}

function markedForDeletion(): Reply {
  return awsError(400, 'InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

export function awsError(status: number, type: string, message: string): Reply {
  return { status, body: { __type: type, message }, headers: { 'x-amzn-errortype': type } };
}
