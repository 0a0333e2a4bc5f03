import { hkdfSync } from 'node:crypto';
import type { AuditSink } from '../core/audit-sink.js';
import { onSessionLimitSchema, publicUrlSchema, smsGatewaySchema, type SmsGatewayConfig } from '../core/config.js';
import { LangtrainError } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import type { Keyring } from '../crypto/keyring/keyring.js';
import { readCredential, type CredentialReference } from '../core/credential-reference.js';
import type { ServerAuthOptions } from '../security-manager.js';
import type { Store } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import type { RedisConnection } from '../store/redis.js';
import { apiKeyMigrations } from './api-keys/api-key-schema.js';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import { AuthenticationManager, type AuthenticationManagerOptions } from './authentication-manager.js';
import { authenticationManagerOptionsSchema, parseAuthenticationManagerOptions } from './login/authentication-options.js';
import { LoginChallenges } from './login/login-challenges.js';
import { loginMigrations } from './login/schema.js';
import { SmsCodes, smsCodeMigrations } from './mfa/sms/sms-codes.js';
import { TwilioCompatibleSender } from './mfa/sms/sms-sender.js';
import { WebAuthnCredentials, webauthnMigrations } from './mfa/webauthn/index.js';
import { MemoryRateLimiter } from './rate-limit/memory-rate-limiter.js';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.js';
import { sessionMigrations } from './sessions/schema.js';
import { parseSessionStoreOptions } from './sessions/session-options.js';
import { SessionStore } from './sessions/session-store.js';
import { samlMigrations } from './sso/saml/index.js';
import { ssoMigrations } from './sso/schema.js';
import { SsoAccounts } from './sso/sso-accounts.js';
import { SsoProviders } from './sso/sso-providers.js';
import { UserDirectory } from './users/user-directory.js';
import { userMigrations } from './users/user-schema.js';

/** The keyring key the identity secrets are derived from; it never rotates on a schedule. */
export const IDENTITY_KEY = 'identity';

export interface IdentityDeps {
  store: Store;
  audit: AuditSink;
  keyring: Keyring;
  redis?: RedisConnection;
}

/**
 * An AuthenticationManager wired to the deployment: its tables migrated, its users, sessions
 * (revocation shared through Redis when configured), API keys (rate limits in Redis when
 * configured, else in memory), second factors and single sign-on. The API key pepper, the TOTP
 * sealing key and the CSRF key are derived (HKDF) from a keyring key that never rotates on a
 * schedule, so they stay stable and are never stored anywhere else.
 */
export async function buildAuthentication(input: AuthenticationManagerOptions & ServerAuthOptions, { store, audit, keyring, redis }: IdentityDeps): Promise<AuthenticationManager> {
  // Every option is checked before the store is touched.
  const { publicUrl, sms, onSessionLimit } = parseServerAuthOptions(input);
  const { publicUrl: _publicUrl, sms: _sms, onSessionLimit: _onSessionLimit, ...options } = input;
  await migrate(store, 'users', userMigrations);
  await migrate(store, 'sessions', sessionMigrations);
  await migrate(store, 'api_keys', apiKeyMigrations);
  await migrate(store, 'login', loginMigrations);
  await migrate(store, 'webauthn', webauthnMigrations);
  await migrate(store, 'sso', ssoMigrations);
  await migrate(store, 'saml', samlMigrations);
  await migrate(store, 'sms_codes', smsCodeMigrations);
  await keyring.ensureKey(IDENTITY_KEY, { purpose: 'system', rotationIntervalMs: null });
  const root = (await keyring.primaryKey(IDENTITY_KEY)).encryptionKey;
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), `langtrain/identity/${purpose}/v1`, 32));
  const deps = { store, audit };
  const rateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
  const users = new UserDirectory({}, { ...deps, secretKey: derive('totp-seal') });
  const biometric = (options.mfaMethods ?? []).includes('biometric');
  const smsCodes = sms ? new SmsCodes({}, { ...deps, rateLimiter, sender: smsSender(sms) }) : undefined;
  const ssoProviders = options.ssoProviders ?? {};
  return new AuthenticationManager(options, {
    ...deps,
    users,
    ...(smsCodes ? { smsCodes, smsPhone: async (id: string) => (await users.get(id))?.phone ?? null } : {}),
    ...(biometric ? { webauthn: new WebAuthnCredentials(webauthnOptions(publicUrl), deps) } : {}),
    ...(Object.keys(ssoProviders).length > 0 ? { sso: { providers: new SsoProviders(ssoProviders, { store, publicUrl: publicUrl ?? null }), accounts: new SsoAccounts({ ...deps, users }) } } : {}),
    sessions: new SessionStore({ ...AuthenticationManager.sessionOptions(options), ...(onSessionLimit ? { onLimit: onSessionLimit } : {}) }, { ...deps, csrfKey: derive('csrf'), ...(redis ? { redis } : {}) }),
    apiKeys: new ApiKeyStore({ pepper: derive('api-key-pepper') }, { ...deps, rateLimiter }),
    challenges: new LoginChallenges(deps),
  });
}

/**
 * The seed's AuthenticationManager options with the deployment's (`publicUrl`, `sms`,
 * `onSessionLimit`), checked with the schemas the `auth` config section uses: an unknown key
 * is refused naming the supported ones, and so is a method that lacks the option it needs.
 */
const serverAuthOptionsSchema = authenticationManagerOptionsSchema.extend({
  publicUrl: publicUrlSchema.optional(),
  sms: smsGatewaySchema.optional(),
  onSessionLimit: onSessionLimitSchema.optional(),
});

function parseServerAuthOptions(input: unknown): ServerAuthOptions {
  const owner = 'AuthenticationManager';
  const { publicUrl, sms, onSessionLimit, ...options } = parseOptions(serverAuthOptionsSchema, input, owner);
  const settings = parseAuthenticationManagerOptions(options); // unsupported mfaMethods
  const methods = settings.mfaMethods;
  if (methods.includes('sms') && sms === undefined) {
    throw new LangtrainError(
      'ERR_CONFIG_INVALID',
      `${owner}: mfaMethods "sms" needs the sms option (auth.sms in configuration): the SMS gateway { accountSid, authToken as env:NAME or file:/path, from, baseUrl (default https://api.twilio.com) }`,
      { option: 'sms' },
    );
  }
  // `sms` without "sms" in mfaMethods is not refused: it is used, for phone verification
  // (startPhoneVerification), so numbers can be verified before SMS sign-in is turned on.
  if (methods.includes('biometric') && publicUrl === undefined) {
    throw new LangtrainError('ERR_CONFIG_INVALID', `${owner}: mfaMethods "biometric" (WebAuthn) needs auth.publicUrl (the publicUrl option): the origin browsers use, e.g. https://langtrain.example.com`, { option: 'auth.publicUrl' });
  }
  // Options that would be accepted and never used are refused (the `auth` section refuses them the same way).
  if (publicUrl !== undefined && !methods.includes('biometric') && settings.ssoProviders.length === 0) {
    throw new LangtrainError(
      'ERR_CONFIG_INVALID',
      `${owner}: publicUrl has no effect without mfaMethods "biometric" (WebAuthn) or ssoProviders: it is only their origin and callback base; remove publicUrl, or configure one of them`,
      { option: 'publicUrl' },
    );
  }
  if (onSessionLimit !== undefined && settings.concurrentSessions === null) {
    throw new LangtrainError(
      'ERR_CONFIG_INVALID',
      `${owner}: onSessionLimit has no effect with concurrentSessions: null (no session limit); remove onSessionLimit, or set concurrentSessions to the live sessions a user may hold`,
      { option: 'onSessionLimit' },
    );
  }
  // The session store's own checks (idleTimeout no longer than sessionTimeout), naming the options as written here.
  const sessionOptions = AuthenticationManager.sessionOptions(input as AuthenticationManagerOptions);
  parseSessionStoreOptions({ ...sessionOptions, ...(onSessionLimit ? { onLimit: onSessionLimit } : {}) }, owner);
  return { ...(publicUrl !== undefined ? { publicUrl } : {}), ...(sms !== undefined ? { sms } : {}), ...(onSessionLimit !== undefined ? { onSessionLimit } : {}) };
}

/** Twilio's Messages API (or a copy); the auth token is read from its reference now, never kept in configuration. */
function smsSender(sms: SmsGatewayConfig): TwilioCompatibleSender {
  return new TwilioCompatibleSender({ baseUrl: sms.baseUrl, accountSid: sms.accountSid, authToken: readCredential(sms.authToken as CredentialReference, 'auth.sms.authToken'), from: sms.from });
}

/** The WebAuthn relying party is the server's public origin: its host is the RP ID. */
function webauthnOptions(publicUrl: string | undefined): { rpId: string; rpName: string; origins: string[] } {
  const url = new URL(publicUrl!); // parseServerAuthOptions: biometric has one
  return { rpId: url.hostname, rpName: 'LangTrain Security', origins: [url.origin] };
}
