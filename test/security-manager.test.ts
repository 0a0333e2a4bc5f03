import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecurityManager } from '../src/security-manager.js';
import { REDIS_URL, redisPrefix, tempDir } from './support/services.js';

describe('SecurityManager (composition root)', () => {
  const dirs: Array<ReturnType<typeof tempDir>> = [];
  const managers: SecurityManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    for (const d of dirs.splice(0)) d.cleanup();
  });
  const open = async (options: Parameters<typeof SecurityManager.open>[0] = {}) => {
    const dir = tempDir('security');
    dirs.push(dir);
    const manager = await SecurityManager.open({
      env: {},
      ...options,
      config: { store: { url: `sqlite:${join(dir.path, 'db')}`, ...options.config?.store }, crypto: { kek: `file:${join(dir.path, 'kek')}` }, ...options.config },
    });
    managers.push(manager);
    return manager;
  };

  it('applies auditLevel to the audit log it builds', async () => {
    const security = await open({ auditLevel: 'basic' });
    expect(security.config.audit.level).toBe('basic');
    expect((await security.audit.logEvent({ eventType: 'api.request', result: 'success', level: 'detailed' })).index).toBeNull();
  });

  it('applies the seed key options to the keyring, and refuses unsupported values naming the supported ones', async () => {
    const ok = await open({ encryptionLevel: 'AES-256-GCM', keyRotationInterval: '30d', keyManagement: 'local' });
    expect(ok.config.crypto).toMatchObject({ encryptionLevel: 'AES-256-GCM', keyRotationInterval: 30 * 86_400_000, keyManagement: 'local' });
    await ok.keyring.createKey('datasets');
    expect((await ok.keyring.describe('datasets')).rotationIntervalMs).toBe(30 * 86_400_000);
    expect((await ok.keyring.decrypt(await ok.keyring.encrypt('datasets', Buffer.from('x')))).toString()).toBe('x');
    await expect(SecurityManager.open({ env: {}, encryptionLevel: 'AES-128-CBC' })).rejects.toMatchObject({ message: expect.stringMatching(/encryptionLevel.*AES-256-GCM/) });
    await expect(SecurityManager.open({ env: {}, keyManagement: 'HSM' })).rejects.toMatchObject({ message: expect.stringContaining('pkcs11:') });
    await expect(SecurityManager.open({ env: {}, keyManagement: 'cloud' })).rejects.toMatchObject({ message: expect.stringContaining('local, hsm, customer_managed') });
  });

  it.each([
    ['anomalyDetection', true],
    ['complianceMode', ['SOC2', 'GDPR', 'HIPAA']],
    ['dataResidency', 'EU'],
    ['retentionPolicy', '7y'],
  ])('refuses the seed option %s until it is built, naming it', async (name, value) => {
    await expect(SecurityManager.open({ env: {}, [name]: value })).rejects.toMatchObject({
      code: 'ERR_OPTION_NOT_SUPPORTED_YET',
      message: expect.stringContaining(name),
    });
  });

  it('refuses an unknown option', async () => {
    await expect(SecurityManager.open({ env: {}, colour: 'red' } as never)).rejects.toMatchObject({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('colour') });
  });

  it('runs the security monitor with realTimeMonitoring, at the thresholds of the monitoring section, and stops it on close', async () => {
    const security = await open({ realTimeMonitoring: true, config: { monitoring: { failedAuthAttempts: 3, modelPerformanceDrop: null } } });
    expect(security.config.monitoring).toMatchObject({ enabled: true, failedAuthAttempts: 3, unusualDataAccess: 10, modelPerformanceDrop: null });
    const monitor = await security.monitor();
    expect(monitor.running).toBe(true);
    await security.audit.logEvents([1, 2, 3].map((i) => ({ eventType: 'auth.login', result: 'failure', additionalData: { reason: 'unknown_user', ip: '198.51.100.9', attempt: i } })));
    await monitor.poll();
    expect((await monitor.alerts()).map((a) => [a.rule, a.key, a.threshold])).toEqual([['failed_auth_attempts', 'ip:198.51.100.9', 3]]);
    await security.close();
    managers.splice(managers.indexOf(security), 1);
    expect(monitor.running).toBe(false);
    expect((await open()).config.monitoring.enabled).toBe(false);
  });

  it("enableMonitoring starts the monitor for the seed's signals it has rules for, and refuses the others naming them", async () => {
    const security = await open();
    const monitor = await security.enableMonitoring(['unauthorized_access_attempts', 'data_access_patterns', 'privilege_escalation']);
    expect(monitor.running).toBe(true);
    // a real grant of the admin role, through the user directory, is an alert
    const { users } = await security.authenticationManager();
    const user = await users.createUser({ username: 'mallory', password: 'a long enough passphrase here', roles: [] });
    await users.setRoles(user.id, ['admin']);
    await monitor.poll();
    expect((await monitor.alerts({ rule: 'privilege_escalation' })).map((a) => a.key)).toEqual([`user:${user.id}`]);
    await expect(security.enableMonitoring(['unauthorized_access_attempts', 'data_exfiltration_detection'])).rejects.toMatchObject({
      code: 'ERR_OPTION_NOT_SUPPORTED_YET',
      message: expect.stringMatching(/signal data_exfiltration_detection is not supported yet.*\(supported: unauthorized_access_attempts, data_access_patterns, privilege_escalation\)/),
    });
    await expect(security.enableMonitoring(['port_scans'])).rejects.toMatchObject({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('no signal port_scans') });
    await expect(security.enableMonitoring([])).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    // a refused call leaves the running monitor as it was
    expect(monitor.running).toBe(true);
  });

  it('opens Redis with the configured key prefix when store.redisUrl is set', async () => {
    const prefix = redisPrefix('manager');
    const security = await open({ config: { store: { redisUrl: REDIS_URL, redisKeyPrefix: prefix } } });
    expect(security.redis?.keyPrefix).toBe(prefix);
    await security.redis!.client.set('probe', '1', 'EX', 10);
    expect(await security.redis!.client.get('probe')).toBe('1');
    await security.redis!.client.del('probe');
  });

  it('records setup code minting without the code; a code is spent once, and a newer one revokes the older', async () => {
    const security = await open();
    const code = await security.setupCodes.mint();
    expect(await security.setupCodes.check(code)).not.toBeNull();
    expect(await security.setupCodes.check(code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A'))).toBeNull();
    const [minted] = await security.audit.query({ eventType: 'auth.setup_code_minted' });
    expect(JSON.stringify(minted)).not.toContain(code.slice(-43)); // the 256-bit secret part
    const spends = await Promise.all([security.setupCodes.spend(code), security.setupCodes.spend(code)]);
    expect(spends.sort()).toEqual([false, true]);
    const newer = await security.setupCodes.mint();
    const newest = await security.setupCodes.mint();
    expect(await security.setupCodes.check(newer)).toBeNull();
    expect(await security.setupCodes.check(newest)).not.toBeNull();
  });
});

describe('SecurityManager with keyManagement hsm (SoftHSM2)', () => {
  it('keeps the keyring KEK inside a PKCS#11 token', async () => {
    const { createSoftHsmToken } = await import('./support/softhsm.js');
    const token = createSoftHsmToken('lt-manager');
    const dir = tempDir('hsm-manager');
    process.env.LANGTRAIN_TEST_HSM_PIN = token.pin;
    try {
      const kek = `pkcs11:token=${token.tokenLabel};object=kek-1?module-path=${token.modulePath}&pin-source=env:LANGTRAIN_TEST_HSM_PIN`;
      const security = await SecurityManager.open({ env: {}, keyManagement: 'HSM', config: { store: { url: `sqlite:${join(dir.path, 'db')}` }, crypto: { kek } } });
      try {
        await security.keyring.createKey('models');
        const sealed = await security.keyring.encrypt('models', Buffer.from('checkpoint key'));
        expect((await security.keyring.decrypt(sealed)).toString()).toBe('checkpoint key');
        const versions = await security.store.db.selectFrom('crypto_key_versions').select(['kek_uri']).execute();
        expect(versions[0]!.kek_uri).toBe(`pkcs11:token=${token.tokenLabel};object=kek-1`); // no PIN, no module path
      } finally {
        await security.close();
      }
      // Wrong PIN: a clear error that does not contain the PIN.
      process.env.LANGTRAIN_TEST_HSM_PIN = '999999';
      const again = await SecurityManager.open({ env: {}, keyManagement: 'hsm', config: { store: { url: `sqlite:${join(dir.path, 'db')}` }, crypto: { kek } } });
      try {
        const failure = await again.keyring.describe('models').then(() => again.keyring.encrypt('models', Buffer.from('x'))).catch((err: Error) => err);
        expect(failure).toBeInstanceOf(Error);
        expect((failure as Error).message).not.toContain('999999');
      } finally {
        await again.close().catch(() => undefined);
      }
    } finally {
      delete process.env.LANGTRAIN_TEST_HSM_PIN;
      token.cleanup();
      dir.cleanup();
    }
  });
});

describe('SecurityManager.authenticationManager', () => {
  it('builds users, sessions and API keys over the store and keyring: the seed flow end to end', async () => {
    const dir = tempDir('auth-manager');
    const security = await SecurityManager.open({ env: {}, config: { store: { url: `sqlite:${join(dir.path, 'db')}` }, crypto: { kek: `file:${join(dir.path, 'kek')}` } } });
    try {
      const auth = await security.authenticationManager({ sessionTimeout: '8h', concurrentSessions: 1, idleTimeout: '30m' });
      await expect(security.authenticationManager({ mfaMethods: ['fax'] as never })).rejects.toThrow(/totp, sms/);
      const user = await auth.users.createUser({ username: 'Admin@Company.com', password: 'a long and unusual passphrase 42' });
      const login = await auth.login({ username: 'admin@company.com', password: 'a long and unusual passphrase 42', ip: '10.0.1.100', userAgent: 'Mozilla/5.0' });
      expect(login.status).toBe('authenticated');
      if (login.status !== 'authenticated') return;
      expect(await auth.validateSession(login.token)).not.toBeNull();
      const { key } = await auth.createApiKey({ userId: user.id, permissions: ['models.inference'], expiryDays: 30, autoRotate: true, rateLimit: '1000/hour' });
      expect(await auth.verifyApiKey(key, { permission: 'models.inference' })).toMatchObject({ ok: true });
      // A second manager (a restart) derives the same pepper from the keyring: the key still verifies.
      const again = await security.authenticationManager({});
      expect(await again.verifyApiKey(key, { permission: 'models.inference' })).toMatchObject({ ok: true });
      expect(await again.verifyApiKey(key, { permission: 'models.train' })).toMatchObject({ ok: false, reason: 'forbidden' });
      const events = JSON.stringify(await security.audit.query({ limit: 1000 }));
      expect(events).not.toContain('a long and unusual passphrase 42');
      expect(events).not.toContain(key);
    } finally {
      await security.close();
      dir.cleanup();
    }
  });
});
