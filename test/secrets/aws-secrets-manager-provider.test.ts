import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManager } from '../../src/secrets/secrets-manager.js';
import { AwsSecretsManagerStandIn, awsError } from './stand-ins/aws-secrets-manager.js';
import { RecordedEvents, errorTexts, withEnv } from './support.js';

const VALUE = 'super_secure_password';
const DAY = 86_400_000;
const ACCESS_KEY_ID = 'AKIDLANGTRAINTEST01';
const SECRET_ACCESS_KEY = 'tEsTsEcReTaCcEsSkEy/LangTrainStandInOnlyZq';

describe('SecretsManager, aws_secrets_manager provider (official SDK against the JSON 1.1 stand-in)', () => {
  let aws: AwsSecretsManagerStandIn;
  let audit: RecordedEvents;
  let secrets: SecretsManager;
  let restoreEnv: () => void;

  const open = (section: Record<string, unknown> = {}) =>
    new SecretsManager(
      {
        provider: 'aws_secrets_manager',
        rotationSchedule: '30d',
        awsSecretsManager: {
          region: 'eu-west-1',
          endpoint: aws.url,
          credentials: { accessKeyId: 'env:TEST_AWS_ACCESS_KEY_ID', secretAccessKey: 'env:TEST_AWS_SECRET_ACCESS_KEY' },
          maxAttempts: 1,
          ...section,
        },
      },
      { audit },
    );

  beforeEach(async () => {
    aws = await AwsSecretsManagerStandIn.start({ accessKeyId: ACCESS_KEY_ID, region: 'eu-west-1', deniedAccessKeyIds: ['AKIDDENIED0000000001'] });
    restoreEnv = withEnv({ TEST_AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, TEST_AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, TEST_AWS_DENIED_KEY_ID: 'AKIDDENIED0000000001' });
    audit = new RecordedEvents();
    secrets = open();
  });
  afterEach(async () => {
    await secrets.close();
    await aws.close();
    restoreEnv();
  });

  const targets = () => aws.http.requests.map((r) => String(r.headers['x-amz-target']).replace('secretsmanager.', ''));

  it('creates, then puts new versions, with tags; reads current and earlier versions', async () => {
    const first = await secrets.storeSecret({ name: 'database_password', value: VALUE, tags: { environment: 'production', service: 'database' } });
    expect(first.version).toMatch(/^[0-9a-f-]{36}$/);
    const second = await secrets.storeSecret({ name: 'database_password', value: 'second' });
    expect(second.version).not.toBe(first.version);
    expect(targets()).toEqual(['PutSecretValue', 'CreateSecret', 'PutSecretValue']);
    const create = aws.http.requests[1]!;
    expect(create.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(create.headers['authorization']).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/eu-west-1/secretsmanager/aws4_request`));
    expect(JSON.parse(create.body)).toMatchObject({
      Name: 'database_password',
      SecretString: VALUE,
      Tags: [
        { Key: 'environment', Value: 'production' },
        { Key: 'service', Value: 'database' },
      ],
    });
    const current = await secrets.getSecret('database_password');
    expect(current).toMatchObject({ name: 'database_password', version: second.version, value: 'second', tags: { environment: 'production', service: 'database' } });
    expect((await secrets.getSecret('database_password', { version: first.version })).value).toBe(VALUE);
    expect(JSON.parse(aws.http.requests.at(-2)!.body)).toEqual({ SecretId: 'database_password', VersionId: first.version });
  });

  it('replaces tags with TagResource/UntagResource when a store gives new ones', async () => {
    await secrets.storeSecret({ name: 'db', value: 'a', tags: { environment: 'production', owner: 'ml' } });
    await secrets.storeSecret({ name: 'db', value: 'b', tags: { environment: 'staging' } });
    expect(targets().slice(2)).toEqual(['PutSecretValue', 'DescribeSecret', 'UntagResource', 'TagResource']);
    expect((await secrets.getSecret('db')).tags).toEqual({ environment: 'staging' });
  });

  it('lists across pages by tag, lists versions, rotates and rotates what is due', async () => {
    for (const [name, environment] of [
      ['a_prod', 'production'],
      ['b_staging', 'staging'],
      ['c_prod', 'production'],
      ['d_prod', 'production'],
      ['e_dev', 'dev'],
    ] as const) {
      await secrets.storeSecret({ name, value: `${name}-value`, tags: { environment } });
    }
    const production = await secrets.listSecrets({ tag: { environment: 'production' } });
    expect(production.map((s) => s.name)).toEqual(['a_prod', 'c_prod', 'd_prod']);
    expect(targets().filter((t) => t === 'ListSecrets')).toHaveLength(3); // pages of two
    const before = (await secrets.getSecret('a_prod')).version;
    const rotated = await secrets.rotateSecret('a_prod');
    expect((await secrets.getSecret('a_prod')).value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await secrets.rotateSecret('a_prod', ({ version }) => `custom-after-${version.slice(0, 4)}`);
    expect((await secrets.getSecret('a_prod')).value).toBe(`custom-after-${rotated.version.slice(0, 4)}`);
    const versions = await secrets.versions('a_prod');
    expect(versions).toHaveLength(3);
    expect(versions[0]!.version).toBe(before);
    expect(versions.filter((v) => v.current)).toHaveLength(1);
    expect(versions.at(-1)!.current).toBe(true);
    expect(await secrets.rotateDue(new Date(Date.now() + 29 * DAY))).toEqual([]);
    const due = await secrets.rotateDue(new Date(Date.now() + 31 * DAY));
    expect(due.map((d) => d.name)).toEqual(['a_prod', 'b_staging', 'c_prod', 'd_prod', 'e_dev']);
  });

  it('deletes with the recovery window; reads then fail with ERR_NOT_FOUND and the name cannot be reused', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE });
    await secrets.deleteSecret('db');
    expect(JSON.parse(aws.http.requests.at(-1)!.body)).toEqual({ SecretId: 'db', RecoveryWindowInDays: 30 });
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringMatching(/^secret db was deleted in AWS Secrets Manager on /) });
    await expect(secrets.deleteSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(secrets.rotateSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect((await secrets.versions('db')).every((v) => v.destroyed && !v.current)).toBe(true);
    expect(await secrets.listSecrets()).toEqual([]);
    await expect(secrets.storeSecret({ name: 'db', value: 'again' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('is scheduled for deletion') });

    const force = open({ forceDeleteWithoutRecovery: true });
    await force.storeSecret({ name: 'tmp', value: 'x' });
    await force.deleteSecret('tmp');
    expect(JSON.parse(aws.http.requests.at(-1)!.body)).toEqual({ SecretId: 'tmp', ForceDeleteWithoutRecovery: true });
    await expect(force.getSecret('tmp')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await force.close();
  });

  it('answers unknown secrets and versions with ERR_NOT_FOUND', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE });
    await expect(secrets.getSecret('nope')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', details: { provider: 'aws_secrets_manager', providerCode: 'ResourceNotFoundException' } });
    await expect(secrets.getSecret('db', { version: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(secrets.getSecret('db', { version: '1' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('AWS version ids are') });
  });

  it('maps unrecognised and denied credentials to ERR_PROVIDER_DENIED without the value or the secret key', async () => {
    restoreEnv();
    restoreEnv = withEnv({ TEST_AWS_ACCESS_KEY_ID: 'AKIDUNKNOWN000000001', TEST_AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, TEST_AWS_DENIED_KEY_ID: 'AKIDDENIED0000000001' });
    const unknown = open();
    const err = await unknown.storeSecret({ name: 'db', value: VALUE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PROVIDER_DENIED', details: { status: 400, providerCode: 'UnrecognizedClientException' } });
    expect((err as Error).message).toBe(
      'AWS Secrets Manager: writing secret db failed (HTTP 400 UnrecognizedClientException): The security token included in the request is invalid.; check the credentials and the permissions they grant on this secret',
    );
    await unknown.close();
    const denied = open({ credentials: { accessKeyId: 'env:TEST_AWS_DENIED_KEY_ID', secretAccessKey: 'env:TEST_AWS_SECRET_ACCESS_KEY' } });
    const deniedErr = await denied.getSecret('db').catch((e: unknown) => e);
    expect(deniedErr).toMatchObject({ code: 'ERR_PROVIDER_DENIED', details: { providerCode: 'AccessDeniedException' } });
    expect((deniedErr as Error).message).toContain('is not authorized to perform: secretsmanager:GetSecretValue');
    for (const e of [err, deniedErr]) {
      expect(errorTexts(e)).not.toContain(VALUE);
      expect(errorTexts(e)).not.toContain(SECRET_ACCESS_KEY);
    }
    await denied.close();
    // A credential reference that cannot be read is a configuration error, named by reference.
    const unset = open({ credentials: { accessKeyId: 'env:TEST_AWS_UNSET_KEY_ID', secretAccessKey: 'env:TEST_AWS_SECRET_ACCESS_KEY' } });
    await expect(unset.getSecret('db')).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: 'awsSecretsManager.credentials.accessKeyId: environment variable TEST_AWS_UNSET_KEY_ID (from env:TEST_AWS_UNSET_KEY_ID) is not set',
    });
    await unset.close();
    // A 403 from the endpoint (missing signature scope) maps the same way.
    aws.http.failWhen(() => true, () => awsError(403, 'InvalidSignatureException', 'Signature expired'));
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED', details: { status: 403 } });
  });

  it('withholds an AWS error message that quotes the value, and reports throttling and outages', async () => {
    aws.http.failWhen(
      (r) => r.headers['x-amz-target'] === 'secretsmanager.PutSecretValue',
      (r) => awsError(400, 'InvalidParameterException', `SecretString '${JSON.parse(r.body).SecretString}' is not valid`),
    );
    const err = await secrets.storeSecret({ name: 'db', value: VALUE }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'AWS Secrets Manager: writing secret db failed (HTTP 400 InvalidParameterException): (message withheld: it quoted a sensitive value)' });
    expect(errorTexts(err)).not.toContain(VALUE);
    aws.http.failWhen(() => true, () => awsError(400, 'ThrottlingException', 'Rate exceeded'));
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED' });
    aws.http.failWhen(() => true, () => awsError(500, 'InternalServiceError', 'An error occurred on the server side.'));
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    const url = aws.url;
    await aws.close();
    const gone = open({ endpoint: url });
    await expect(gone.getSecret('db')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', message: expect.stringContaining('no answer') });
    await gone.close();
    aws = await AwsSecretsManagerStandIn.start({ accessKeyId: ACCESS_KEY_ID, region: 'eu-west-1' });
  });
});
