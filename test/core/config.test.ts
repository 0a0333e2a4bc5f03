import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, readEnvironment, type LoadConfigOptions } from '../../src/core/config.js';
import { isLangtrainError, type ErrorCode } from '../../src/core/errors.js';
import { tempDir } from '../support/services.js';

const DAY = 86_400_000;
const YEAR = 365 * DAY;

let dir: { path: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir('config');
});
afterEach(() => dir.cleanup());

/** Write a config file in this test's directory and return its path. */
function configFile(yaml: string, name = 'langtrain.config.yaml'): string {
  const path = join(dir.path, name);
  writeFileSync(path, yaml);
  return path;
}

/** Loads with an empty environment unless one is given, so the runner's env never leaks in. */
function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, ...options });
}

function failure(code: ErrorCode, run: () => unknown): { message: string; details: Readonly<Record<string, unknown>> } {
  try {
    run();
  } catch (err) {
    if (!isLangtrainError(err)) throw err;
    expect(err.code, err.message).toBe(code);
    return { message: err.message, details: err.details };
  }
  throw new Error(`expected ${code}, but the configuration was accepted`);
}

describe('defaults', () => {
  it('fills every option when nothing is given', () => {
    const config = parseConfig({});
    expect(config).toEqual({
      store: { url: 'sqlite:.langtrain/langtrain.db', redisKeyPrefix: 'langtrain:' },
      audit: {
        level: 'detailed',
        origin: 'langtrain.local/audit',
        checkpointEvery: 1000,
        checkpointInterval: 10_000,
        signingKey: 'store',
        immutableStorage: true,
        digitalSignatures: true,
        encryption: false,
        encryptionKey: 'file:.langtrain/audit-encryption.key',
        retentionPeriod: 10 * YEAR,
      },
      crypto: { encryptionLevel: 'AES-256-GCM', keyManagement: 'local', keyRotationInterval: 90 * 86_400_000 },
      server: {
        host: '127.0.0.1',
        port: 8787,
        bodyLimit: 1_048_576,
        rateLimit: { limit: 1200, windowMs: 60_000 },
        logLevel: 'info',
        requireClientCert: false,
      },
      auth: { mfaRequired: false, mfaMethods: ['totp'], sessionTimeout: '8h', idleTimeout: '30m', concurrentSessions: 1, onSessionLimit: 'end_oldest', ssoProviders: {} },
      access: { decisionLog: 'denied', decisionSampleRate: 1 },
      monitoring: { enabled: false, failedAuthAttempts: 5, unusualDataAccess: 10, modelPerformanceDrop: 0.1, privilegeEscalation: 1, window: 300_000, pollInterval: 1_000, forensicsDir: '.langtrain/forensics' },
    });
  });

  it('reads the monitoring section from the environment, null turning a threshold off; its SIEM only from the file', () => {
    const config = loadConfig({ env: { LANGTRAIN_MONITORING_ENABLED: 'true', LANGTRAIN_MONITORING_UNUSUAL_DATA_ACCESS: 'null', LANGTRAIN_MONITORING_MODEL_PERFORMANCE_DROP: '0.25', LANGTRAIN_MONITORING_WINDOW: '10m' } });
    expect(config.monitoring).toEqual({ enabled: true, failedAuthAttempts: 5, unusualDataAccess: null, modelPerformanceDrop: 0.25, privilegeEscalation: 1, window: 600_000, pollInterval: 1_000, forensicsDir: '.langtrain/forensics' });
    expect(() => loadConfig({ env: { LANGTRAIN_MONITORING_SIEM: 'tcp://siem:514' } })).toThrow(/monitoring.siem can only be set in the configuration file/);
    expect(() => parseConfig({ monitoring: { siem: { siemType: 'syslog', endpoint: 'tls://siem:6514', batchSize: 10 } } })).toThrow(/unknown option monitoring.siem.batchSize \(supported: siemType, endpoint, format, realTimeStreaming, token, caFile, events, backfill, sealedPayloads\)/);
  });

  it('reads auth.mfaMethods from the environment as a comma-separated list', () => {
    const config = loadConfig({ env: { LANGTRAIN_AUTH_MFA_METHODS: 'totp, biometric', LANGTRAIN_AUTH_MFA_REQUIRED: 'true' } });
    expect(config.auth).toMatchObject({ mfaMethods: ['totp', 'biometric'], mfaRequired: true });
  });

  it('fills the rest of a section when only part of it is given', () => {
    const config = parseConfig({ audit: { level: 'basic' } });
    expect(config.audit.level).toBe('basic');
    expect(config.audit.checkpointEvery).toBe(1000);
    expect(config.server.port).toBe(8787);
  });

  it('loads the defaults from an empty file and an empty environment', () => {
    expect(load({ file: configFile('') })).toEqual(parseConfig({}));
    expect(load({ file: configFile('# only a comment\n') })).toEqual(parseConfig({}));
  });
});

describe('the YAML file', () => {
  it('is read and its units parsed', () => {
    const file = configFile(
      [
        'store:',
        '  url: postgres://langtrain@db.internal:5432/langtrain',
        '  redisUrl: redis://cache.internal:6379/0',
        'audit:',
        '  level: basic',
        '  origin: audit.example.com/log',
        '  checkpointEvery: 250',
        '  checkpointInterval: 30s',
        '  retentionPeriod: 7y',
        '  encryption: true',
        '  encryptionKey: env:LT_KEK',
        'server:',
        '  port: 9443',
        '  bodyLimit: 2MiB',
        '  rateLimit: 1000/hour',
        '  logLevel: warn',
      ].join('\n'),
    );
    const config = load({ file });
    expect(config.store.url).toBe('postgres://langtrain@db.internal:5432/langtrain');
    expect(config.store.redisUrl).toBe('redis://cache.internal:6379/0');
    expect(config.audit.level).toBe('basic');
    expect(config.audit.origin).toBe('audit.example.com/log');
    expect(config.audit.checkpointEvery).toBe(250);
    expect(config.audit.checkpointInterval).toBe(30_000);
    expect(config.audit.retentionPeriod).toBe(7 * YEAR);
    expect(config.audit.encryption).toBe(true);
    expect(config.audit.encryptionKey).toBe('env:LT_KEK');
    expect(config.server.port).toBe(9443);
    expect(config.server.bodyLimit).toBe(2 * 1_048_576);
    expect(config.server.rateLimit).toEqual({ limit: 1000, windowMs: 3_600_000 });
    expect(config.server.logLevel).toBe('warn');
  });

  it('rejects a bad duration naming the option and the value', () => {
    const file = configFile('audit:\n  retentionPeriod: 7 years\n');
    const { message } = failure('ERR_CONFIG_INVALID', () => load({ file }));
    expect(message).toContain(file);
    expect(message).toContain('audit.retentionPeriod');
    expect(message).toContain('"7 years"');
  });

  it('refuses a duration without its unit in the file and the environment (7 meant as years would be 7 ms), and takes milliseconds from code', () => {
    const file = configFile('audit:\n  retentionPeriod: 7\ncrypto:\n  keyRotationInterval: 30d\n');
    const fromFile = failure('ERR_CONFIG_INVALID', () => load({ file }));
    expect(fromFile.message).toContain(`${file}: audit.retentionPeriod: 7 has no unit; write a whole number and a unit (ms, s, m, h, d, w, y), e.g. "7d" or "7y", or "7ms" for milliseconds`);
    const fromEnv = failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_CRYPTO_KEY_ROTATION_INTERVAL: '90' } }));
    expect(fromEnv.message).toContain('crypto.keyRotationInterval: "90" is not a duration; write a whole number and a unit');
    expect(load({ env: { LANGTRAIN_AUDIT_RETENTION_PERIOD: '7y' } }).audit.retentionPeriod).toBe(7 * YEAR);
    expect(load({ overrides: { audit: { retentionPeriod: 5000 } } }).audit.retentionPeriod).toBe(5000);
    // sizes stay numbers of bytes: a byte count is not ambiguous
    expect(load({ env: { LANGTRAIN_SERVER_BODY_LIMIT: '1048576' } }).server.bodyLimit).toBe(1_048_576);
  });

  it('never repeats the value of a credential-bearing option in an error, whatever its type', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ auth: { sms: { authToken: 12345678901234567890, accountSid: 'AC1', from: '+15005550006' } } }, 'auth.sms.authToken: this number is not text'],
      [{ store: { url: 98765432109876 } }, 'store.url: this number is not text'],
      [{ audit: { encryptionKey: 55555555555555 } }, 'audit.encryptionKey: this number is not text'],
    ];
    for (const [input, expected] of cases) {
      const { message } = failure('ERR_CONFIG_INVALID', () => parseConfig(input));
      expect(message).toContain(expected);
      expect(message).not.toMatch(/123456789|987654321|5555555/);
    }
    // other options still show what was written
    expect(failure('ERR_CONFIG_INVALID', () => parseConfig({ audit: { encryption: 'yes' } })).message).toContain('audit.encryption: "yes" is not true or false');
  });

  it('refuses a missing explicit file, naming its path', () => {
    const file = join(dir.path, 'nowhere', 'langtrain.config.yaml');
    const { message } = failure('ERR_CONFIG_INVALID', () => load({ file }));
    expect(message).toContain(file);
    expect(message).toMatch(/does not exist/);
  });

  it('refuses invalid YAML with a clear error naming the file', () => {
    const file = configFile('audit:\n  level: [basic\n  origin: x\n');
    const { message } = failure('ERR_CONFIG_INVALID', () => load({ file }));
    expect(message).toContain(file);
    expect(message).toMatch(/not valid YAML/);
  });

  it('refuses a top level that is not a mapping of sections', () => {
    const file = configFile('- store\n- audit\n');
    const { message } = failure('ERR_CONFIG_INVALID', () => load({ file }));
    expect(message).toContain(file);
    expect(message).toMatch(/mapping of sections/);
  });

  it('rejects an unknown key, naming its dotted path and the supported keys', () => {
    const file = configFile('audit:\n  level: basic\n  retention: 7y\n');
    const { message, details } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => load({ file }));
    expect(message).toContain('audit.retention');
    expect(message).toContain(file);
    for (const key of ['level', 'origin', 'checkpointEvery', 'retentionPeriod', 'encryption']) expect(message).toContain(key);
    expect(details.source).toContain(file);
  });

  it('rejects an unknown section, listing the sections', () => {
    const file = configFile('audit:\n  level: basic\nlogging:\n  level: debug\n');
    const { message } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => load({ file }));
    expect(message).toMatch(/unknown option logging\b/);
    expect(message).toContain('store, audit, crypto, server');
  });

  it('rejects an unknown key in the server section (the one with a cross-field rule)', () => {
    const { message } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => parseConfig({ server: { prot: 80 } }));
    expect(message).toContain('server.prot');
    expect(message).toContain('port');
  });
});

describe('LANGTRAIN_* environment variables', () => {
  it('override options, coerced to numbers and booleans', () => {
    const config = load({
      env: {
        LANGTRAIN_AUDIT_CHECKPOINT_EVERY: '500',
        LANGTRAIN_SERVER_PORT: '9000',
        LANGTRAIN_AUDIT_ENCRYPTION: 'true',
        LANGTRAIN_AUDIT_LEVEL: 'basic',
        LANGTRAIN_AUDIT_RETENTION_PERIOD: '30d',
        LANGTRAIN_SERVER_RATE_LIMIT: '10/second',
      },
    });
    expect(config.audit.checkpointEvery).toBe(500);
    expect(config.server.port).toBe(9000);
    expect(config.audit.encryption).toBe(true);
    expect(config.audit.level).toBe('basic');
    expect(config.audit.retentionPeriod).toBe(30 * DAY);
    expect(config.server.rateLimit).toEqual({ limit: 10, windowMs: 1_000 });
  });

  it('maps names to sections and keys with their types', () => {
    expect(
      readEnvironment({
        LANGTRAIN_AUDIT_CHECKPOINT_EVERY: '500',
        LANGTRAIN_SERVER_PORT: '9000',
        LANGTRAIN_AUDIT_ENCRYPTION: 'false',
        LANGTRAIN_STORE_REDIS_KEY_PREFIX: 'lt:',
        PATH: '/usr/bin',
        HOME: '/root',
      }),
    ).toEqual({
      audit: { checkpointEvery: 500, encryption: false },
      server: { port: 9000 },
      store: { redisKeyPrefix: 'lt:' },
    });
  });

  it('leaves a value that is not a number as text, so validation names it', () => {
    const { message } = failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_SERVER_PORT: 'eighty' } }));
    expect(message).toContain('server.port');
  });

  it('reads a decimal for a number option, and null where the option takes null', () => {
    const config = load({ env: { LANGTRAIN_ACCESS_DECISION_SAMPLE_RATE: '0.5', LANGTRAIN_AUTH_CONCURRENT_SESSIONS: 'null' } });
    expect(config.access.decisionSampleRate).toBe(0.5);
    expect(config.auth.concurrentSessions).toBeNull();
    expect(load({ env: { LANGTRAIN_ACCESS_DECISION_SAMPLE_RATE: '.25' } }).access.decisionSampleRate).toBe(0.25);
    // "null" stays text for an option that does not take null, so validation names it.
    const { message } = failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_SERVER_PORT: 'null' } }));
    expect(message).toContain('server.port: "null" is not a number; write a number');
  });

  it('leaves a decimal duration as text, so the duration parser explains it', () => {
    const { message } = failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_AUDIT_RETENTION_PERIOD: '1.5' } }));
    expect(message).toContain('audit.retentionPeriod: "1.5" is not a duration; write a whole number and a unit');
    const whole = failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_AUDIT_CHECKPOINT_EVERY: '0.5' } }));
    expect(whole.message).toContain('audit.checkpointEvery: 0.5 is not a whole number; write a whole number');
  });

  it('refuses a mapping option from the environment, saying it belongs in the configuration file', () => {
    for (const [name, key] of [['LANGTRAIN_AUTH_SMS', 'auth.sms'], ['LANGTRAIN_AUTH_SSO_PROVIDERS', 'auth.ssoProviders']] as const) {
      const { message, details } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => load({ env: { [name]: 'x' } }));
      expect(message).toContain(`${key} can only be set in the configuration file`);
      expect(details.name).toBe(name);
    }
    const { message } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => load({ env: { LANGTRAIN_AUTH_SMSS: 'x' } }));
    expect(message).toContain('LANGTRAIN_AUTH_MFA_METHODS');
    expect(message).not.toContain('LANGTRAIN_AUTH_SMS,');
    expect(message).not.toContain('LANGTRAIN_AUTH_SSO_PROVIDERS');
  });

  it('says what to write for a value of the wrong type', () => {
    expect(failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_AUDIT_ENCRYPTION: 'yes' } })).message).toBe(
      'configuration: audit.encryption: "yes" is not true or false; write true or false',
    );
    expect(failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_AUTH_CONCURRENT_SESSIONS: 'many' } })).message).toBe(
      'configuration: auth.concurrentSessions: "many" is not a number; write a number or null',
    );
  });

  it('names the supported values of a refused value once', () => {
    const { message } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => load({ env: { LANGTRAIN_CRYPTO_KEY_MANAGEMENT: 'aws' } }));
    expect(message).toBe('configuration: crypto.keyManagement: "aws" is not supported; supported: local, hsm, customer_managed');
    expect(failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => load({ env: { LANGTRAIN_CRYPTO_ENCRYPTION_LEVEL: 'AES-128' } })).message).toBe(
      'configuration: crypto.encryptionLevel: only AES-256-GCM is supported',
    );
  });

  it('rejects an unknown LANGTRAIN_ variable, naming it and the supported ones', () => {
    const { message, details } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () =>
      load({ env: { LANGTRAIN_AUDIT_CHECKPOINT_EVRY: '500' } }),
    );
    expect(message).toContain('LANGTRAIN_AUDIT_CHECKPOINT_EVRY');
    expect(message).toContain('LANGTRAIN_AUDIT_CHECKPOINT_EVERY');
    expect(details.name).toBe('LANGTRAIN_AUDIT_CHECKPOINT_EVRY');
  });
});

describe('precedence: file < environment < overrides', () => {
  it('lets each layer win over the one before, key by key', () => {
    const file = configFile('audit:\n  checkpointEvery: 100\n  level: basic\n  origin: from.file/audit\nserver:\n  port: 7000\n  host: 0.0.0.0\n');
    const env = { LANGTRAIN_AUDIT_CHECKPOINT_EVERY: '200', LANGTRAIN_SERVER_PORT: '7100' };

    const fileOnly = load({ file });
    expect(fileOnly.audit.checkpointEvery).toBe(100);
    expect(fileOnly.server.port).toBe(7000);

    const withEnv = load({ file, env });
    expect(withEnv.audit.checkpointEvery).toBe(200);
    expect(withEnv.server.port).toBe(7100);
    expect(withEnv.audit.level).toBe('basic'); // untouched by env: the file's value stays
    expect(withEnv.server.host).toBe('0.0.0.0');

    const withOverrides = load({ file, env, overrides: { audit: { checkpointEvery: 300 } } });
    expect(withOverrides.audit.checkpointEvery).toBe(300);
    expect(withOverrides.server.port).toBe(7100); // an override of one key keeps the rest
    expect(withOverrides.audit.origin).toBe('from.file/audit');
  });
});

describe('options refused with a reason', () => {
  it('lists the supported values of a bad enum', () => {
    const { message } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => parseConfig({ audit: { level: 'verbose' } }));
    expect(message).toContain('audit.level');
    expect(message).toContain('"basic"');
    expect(message).toContain('"detailed"');
  });

  it('refuses immutableStorage: false, saying why', () => {
    const file = configFile('audit:\n  immutableStorage: false\n');
    const { message } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => load({ file }));
    expect(message).toContain('audit.immutableStorage');
    expect(message).toMatch(/append-only/);
  });

  it('refuses digitalSignatures: false, saying why', () => {
    const { message } = failure('ERR_CONFIG_UNSUPPORTED_OPTION', () => parseConfig({ audit: { digitalSignatures: false } }));
    expect(message).toContain('audit.digitalSignatures');
    expect(message).toMatch(/unsigned checkpoint proves nothing/);
  });

  it('accepts immutableStorage and digitalSignatures set to true', () => {
    const config = parseConfig({ audit: { immutableStorage: true, digitalSignatures: true } });
    expect(config.audit.immutableStorage).toBe(true);
    expect(config.audit.digitalSignatures).toBe(true);
  });

  it('refuses auth.publicUrl with neither biometric nor SSO configured: nothing would use it', () => {
    const { message } = failure('ERR_CONFIG_INVALID', () => parseConfig({ auth: { publicUrl: 'https://langtrain.example.com' } }));
    expect(message).toMatch(/^configuration: auth\.publicUrl: has no effect without mfaMethods biometric \(WebAuthn\) or auth\.ssoProviders/);
    failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_AUTH_PUBLIC_URL: 'https://langtrain.example.com', LANGTRAIN_AUTH_MFA_METHODS: 'totp' } }));
    expect(parseConfig({ auth: { publicUrl: 'https://langtrain.example.com', mfaMethods: ['totp', 'biometric'] } }).auth.publicUrl).toBe('https://langtrain.example.com');
    expect(parseConfig({ auth: { publicUrl: 'https://langtrain.example.com', ssoProviders: { okta: { samlEndpoint: 'https://okta.example.com/sso' } } } }).auth.publicUrl).toBe(
      'https://langtrain.example.com',
    );
  });

  it('refuses auth.onSessionLimit given with concurrentSessions: null (no limit), and defaults it to end_oldest only under a limit', () => {
    for (const onSessionLimit of ['end_oldest', 'refuse_new']) {
      const { message } = failure('ERR_CONFIG_INVALID', () => parseConfig({ auth: { concurrentSessions: null, onSessionLimit } }));
      expect(message).toMatch(/^configuration: auth\.onSessionLimit: has no effect with auth\.concurrentSessions: null/);
    }
    failure('ERR_CONFIG_INVALID', () => load({ env: { LANGTRAIN_AUTH_CONCURRENT_SESSIONS: 'null', LANGTRAIN_AUTH_ON_SESSION_LIMIT: 'refuse_new' } }));
    expect(parseConfig({ auth: { concurrentSessions: null } }).auth).not.toHaveProperty('onSessionLimit');
    expect(parseConfig({ auth: { concurrentSessions: 3 } }).auth.onSessionLimit).toBe('end_oldest');
    expect(parseConfig({ auth: { onSessionLimit: 'refuse_new' } }).auth.onSessionLimit).toBe('refuse_new');
  });

  it('refuses tlsCert without tlsKey (and the reverse)', () => {
    const noKey = failure('ERR_CONFIG_INVALID', () => parseConfig({ server: { tlsCert: '/etc/tls/cert.pem' } }));
    expect(noKey.message).toContain('server.tlsCert');
    expect(noKey.message).toMatch(/give both or neither/);
    const noCert = failure('ERR_CONFIG_INVALID', () => parseConfig({ server: { tlsKey: '/etc/tls/key.pem' } }));
    expect(noCert.message).toMatch(/give both or neither/);
    const both = parseConfig({ server: { tlsCert: '/etc/tls/cert.pem', tlsKey: '/etc/tls/key.pem' } });
    expect(both.server.tlsCert).toBe('/etc/tls/cert.pem');
    expect(both.server.tlsKey).toBe('/etc/tls/key.pem');
  });

  it('names every bad path at once', () => {
    const { details } = failure('ERR_CONFIG_INVALID', () =>
      parseConfig({ audit: { checkpointEvery: 0 }, server: { port: 70_000 } }),
    );
    const problems = details.problems as string[];
    expect(problems.some((p) => p.startsWith('audit.checkpointEvery'))).toBe(true);
    expect(problems.some((p) => p.startsWith('server.port'))).toBe(true);
  });

  it('refuses a key reference that is neither file: nor env:', () => {
    const { message } = failure('ERR_CONFIG_INVALID', () => parseConfig({ audit: { encryptionKey: '/etc/kek' } }));
    expect(message).toContain('audit.encryptionKey');
  });

  it('refuses a Redis URL with another scheme', () => {
    const { message } = failure('ERR_CONFIG_INVALID', () => parseConfig({ store: { redisUrl: 'http://cache:6379' } }));
    expect(message).toContain('store.redisUrl');
  });
});
