import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecurityManager } from '../../src/security-manager.js';
import { tempDir } from '../support/services.js';

describe('DataProtectionManager (seed key options)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const open = async (crypto: Record<string, unknown> = {}) => {
    const dir = tempDir('dpm');
    const security = await SecurityManager.open({ env: {}, config: { store: { url: `sqlite:${join(dir.path, 'db')}` }, crypto: { kek: `file:${join(dir.path, 'kek')}`, ...crypto } } });
    cleanups.push(() => dir.cleanup(), () => security.close());
    return { security, dir: dir.path };
  };

  it('applies keyRotationSchedule to its keys and secureDeletion to its encryption', async () => {
    const { security } = await open();
    const manager = security.dataProtectionManager({ encryptionKeySource: 'local', keyRotationSchedule: '90d', secureDeletion: true });
    const service = await manager.encryptionService({ encryptionScope: 'field', fields: ['email'], subjectField: 'user_id', key: 'training' });
    expect((await security.keyring.describe('training')).rotationIntervalMs).toBe(90 * 86_400_000);
    const place = { dataset: 'train', recordId: '1' };
    const sealed = await service.encryptRecord({ user_id: 'u1', email: 'a@example.com' }, place);
    await service.eraseSubject('u1');
    await expect(service.decryptRecord(sealed, place)).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
  });

  it('refuses a key source other than the deployment KEK, and the privacy options not built yet', async () => {
    const { security, dir } = await open();
    expect(() => security.dataProtectionManager({ encryptionKeySource: 'customer_managed' })).toThrow(/crypto\.keyManagement: customer_managed and crypto\.kek/);
    expect(() => security.dataProtectionManager({ keyRotationSchedule: 'quarterly' })).toThrow(/keyRotationSchedule/);
    for (const option of ['differentialPrivacy', 'privacyBudget', 'noiseMultiplier', 'automaticPiiRedaction', 'dataLineageTracking']) {
      expect(() => security.dataProtectionManager({ [option]: true })).toThrow(new RegExp(`${option} is not supported yet`));
    }
    // A customer-managed KEK by URI (a key the customer holds in a file they control).
    const { security: customer } = await open({ keyManagement: 'customer_managed', kek: `file:${join(dir, 'customer.key')}` });
    const manager = customer.dataProtectionManager({ encryptionKeySource: 'customer_managed', keyRotationSchedule: '30d' });
    const service = await manager.encryptionService({ encryptionScope: 'record' });
    const place = { dataset: 'd', recordId: '1' };
    expect(await service.decryptRecord(await service.encryptRecord({ x: 1 }, place), place)).toEqual({ x: 1 });
    const versions = await customer.store.db.selectFrom('crypto_key_versions').select('kek_uri').execute();
    expect(versions.every((v) => v.kek_uri === `file:${join(dir, 'customer.key')}`)).toBe(true);
  });
});
