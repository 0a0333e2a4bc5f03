import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidInput, LangtrainError } from '../../core/errors.js';
import { FPE_KEY_SUFFIX, SUBJECT_REFS_SUFFIX } from '../../crypto/encryption-service.js';
import { IDENTITY_KEY } from '../../identity/build-authentication.js';
import { PII_KEY_NAME } from '../../privacy/pii/pii-keys.js';
import { SECRETS_KEY } from '../../secrets/providers/local.js';
import { readHeader } from '../../crypto/ciphertext.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requireResourcePermission } from './authentication.js';
import { ciphertextReply, createKeyBody, decryptBody, encryptBody, keyInfo, keyName, keyVersionParams, minVersionBody, plaintextReply } from '../schemas/keys.js';

const tags = ['keys'];
const security = AUTHENTICATED;

/** The names of keys the platform makes for itself (KeyPurpose 'system'). */
const PLATFORM_KEY_NAMES = [IDENTITY_KEY, SECRETS_KEY, PII_KEY_NAME];

function isPlatformKeyName(name: string): boolean {
  return PLATFORM_KEY_NAMES.includes(name) || name.endsWith(SUBJECT_REFS_SUFFIX) || name.endsWith(FPE_KEY_SUFFIX);
}

/**
 * The keyring over HTTP (`/v1/keys`): manage keys and versions, and encrypt/decrypt small
 * values with a named key (as Vault transit does). Key material never leaves the server.
 */
export const keysRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'keys'));
  const keyring = manager.keyring;
  // every route naming a key serves data keys only (KeyPurpose says why); the platform's names
  // are refused before the platform has made (or, on an older store, converted) its key
  app.addHook('preHandler', async (request) => {
    const { name } = request.params as { name?: string };
    if (name !== undefined && (isPlatformKeyName(name) || (await keyring.describe(name)).purpose !== 'data')) {
      throw new LangtrainError('ERR_NOT_FOUND', `no data key named ${name}: it is the platform's own key or a data subject's, which the HTTP API does not serve; operators manage it with langtrain keys on the server's host (see docs/keys.md)`);
    }
  });

  app.get('/', { schema: { tags, security, summary: 'Data keys and their versions', response: { 200: z.object({ keys: z.array(keyInfo) }) } } }, async () => ({
    keys: await keyring.list({ purpose: 'data' }),
  }));

  app.post('/', { schema: { tags, security, summary: 'Create a key with its first version', body: createKeyBody, response: { 201: keyInfo } } }, async (request, reply) => {
    const { name, rotationIntervalMs } = request.body;
    if (isPlatformKeyName(name)) throw invalidInput(`${name} names one of the platform's own keys (${PLATFORM_KEY_NAMES.join(', ')}, <key>${SUBJECT_REFS_SUFFIX}, <key>${FPE_KEY_SUFFIX}): choose another name`);
    const info = await keyring.createKey(name, { ...(rotationIntervalMs !== undefined ? { rotationIntervalMs } : {}), actor: actorOf(request.principal!) });
    return reply.code(201).send(info);
  });

  app.get('/:name', { schema: { tags, security, summary: 'One key', params: keyName, response: { 200: keyInfo } } }, async (request) => keyring.describe(request.params.name, { fresh: true }));

  app.post('/:name/rotate', { schema: { tags, security, summary: 'Add a new primary version', params: keyName, response: { 200: keyInfo } } }, async (request) =>
    keyring.rotate(request.params.name, actorOf(request.principal!)),
  );

  app.post(
    '/:name/min-decryption-version',
    { schema: { tags, security, summary: 'Refuse decryption below a version', params: keyName, body: minVersionBody, response: { 200: keyInfo } } },
    async (request) => keyring.setMinDecryptionVersion(request.params.name, request.body.version, actorOf(request.principal!)),
  );

  app.delete(
    '/:name/versions/:version',
    { schema: { tags, security, summary: 'Destroy a version for good', params: keyVersionParams, response: { 200: keyInfo } } },
    async (request) => keyring.destroyVersion(request.params.name, request.params.version, actorOf(request.principal!)),
  );

  app.post('/:name/encrypt', { schema: { tags, security, summary: 'Encrypt a value (base64) bound to a context', params: keyName, body: encryptBody, response: { 200: ciphertextReply } } }, async (request) => {
    const sealed = await keyring.encrypt(request.params.name, Buffer.from(request.body.plaintext, 'base64'), Buffer.from(request.body.context));
    return { ciphertext: sealed.toString('base64'), keyVersion: readHeader(sealed).version };
  });

  app.post('/:name/decrypt', { schema: { tags, security, summary: 'Decrypt a value made by this key with the same context', params: keyName, body: decryptBody, response: { 200: plaintextReply } } }, async (request) => {
    const ciphertext = Buffer.from(request.body.ciphertext, 'base64');
    const [key, named] = [await keyring.keyFor(ciphertext), await keyring.describe(request.params.name)];
    if (key.keyId !== named.keyId) throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `this ciphertext was not made by key ${request.params.name}`);
    const plain = await keyring.decrypt(ciphertext, Buffer.from(request.body.context));
    return { plaintext: plain.toString('base64') };
  });
};
