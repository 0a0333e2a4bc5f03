import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('refuses a key source other than the deployment KEK, and differential-privacy settings that do not hang together', async () => {
    const { security, dir } = await open();
    expect(() => security.dataProtectionManager({ encryptionKeySource: 'customer_managed' })).toThrow(/crypto\.keyManagement: customer_managed and crypto\.kek/);
    expect(() => security.dataProtectionManager({ keyRotationSchedule: 'quarterly' })).toThrow(/keyRotationSchedule/);
    expect(() => security.dataProtectionManager({ privacyBudget: 1 })).toThrow(/privacyBudget is a differential-privacy setting: set differentialPrivacy: true/);
    expect(() => security.dataProtectionManager({ differentialPrivacy: true })).toThrow(/differentialPrivacy needs a privacyBudget/);
    expect(() => security.dataProtectionManager({ differentialPrivacy: true, privacyBudget: 1, noiseMultiplier: -1 })).toThrow(/noiseMultiplier/);
    expect(() => security.dataProtectionManager({}).differentialPrivacy()).toThrow(/without differentialPrivacy: true/);
    // The seed's DataProtectionManager(differential_privacy=True, privacy_budget=1.0, noise_multiplier=1.1).
    const engine = security.dataProtectionManager({ differentialPrivacy: true, privacyBudget: 1.0, noiseMultiplier: 1.1 }).differentialPrivacy({ samplingRate: 0.02 });
    expect(engine.settings).toMatchObject({ epsilon: 1, noiseMultiplier: 1.1, samplingRate: 0.02, noiseMechanism: 'gaussian' });
    expect(engine.noiseMultiplierFor(500)).toBe(1.1);
    // epsilon and sigma passed to differentialPrivacy() are not overridden by the manager's: the same value applies, another is refused naming it
    const dpManager = security.dataProtectionManager({ differentialPrivacy: true, privacyBudget: 1.0, noiseMultiplier: 1.1 });
    expect(() => dpManager.differentialPrivacy({ epsilon: 100, noiseMultiplier: 0.1 } as never)).toThrow(/epsilon 100 differs from this manager's privacyBudget 1; .*privacyBudget: 100, or leave epsilon out/);
    expect(() => dpManager.differentialPrivacy({ noiseMultiplier: 0.1 } as never)).toThrow(/noiseMultiplier 0.1 differs from this manager's noiseMultiplier 1.1/);
    expect(dpManager.differentialPrivacy({ epsilon: 1, noiseMultiplier: 1.1 } as never).settings).toMatchObject({ epsilon: 1, noiseMultiplier: 1.1 });
    // a manager that leaves sigma to calibration takes the caller's
    expect(security.dataProtectionManager({ differentialPrivacy: true, privacyBudget: 1.0 }).differentialPrivacy({ noiseMultiplier: 2 } as never).settings.noiseMultiplier).toBe(2);
    // A customer-managed KEK by URI (a key the customer holds in a file they control).
    const { security: customer } = await open({ keyManagement: 'customer_managed', kek: `file:${join(dir, 'customer.key')}` });
    const manager = customer.dataProtectionManager({ encryptionKeySource: 'customer_managed', keyRotationSchedule: '30d' });
    const service = await manager.encryptionService({ encryptionScope: 'record' });
    const place = { dataset: 'd', recordId: '1' };
    expect(await service.decryptRecord(await service.encryptRecord({ x: 1 }, place), place)).toEqual({ x: 1 });
    const versions = await customer.store.db.selectFrom('crypto_key_versions').select('kek_uri').execute();
    expect(versions.every((v) => v.kek_uri === `file:${join(dir, 'customer.key')}`)).toBe(true);
  });

  it('prepares a data set as the seed configures it: consent filter, PII redaction, lineage and erasure that finds it', async () => {
    const { security, dir } = await open();
    const manager = security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true, secureDeletion: true });
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'user123', dataTypes: ['training_data', 'model_outputs'], purposes: ['model_improvement', 'research'], consentDate: '2024-01-01', expiryDate: '2099-01-01' });
    await consent.recordConsent({ userId: 'user456', dataTypes: ['model_outputs'], purposes: ['research'], consentDate: '2024-01-01' });
    const input = join(dir, 'raw.jsonl');
    writeFileSync(
      input,
      [
        { user_id: 'user123', text: 'reach me at ana.silva@example.org' },
        { user_id: 'user456', text: 'no consent for training' },
        { text: 'no subject at all' },
      ].map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    const output = join(dir, 'clean.jsonl');
    const report = await manager.prepareDataset({ input, output }, { subjectField: 'user_id', dataType: 'training_data', purpose: 'model_improvement', fields: ['text'], actor: 'dpo', outputName: 'dataset:clean-v1' });
    expect(report.consent).toEqual({ kept: 1, dropped: 2, missingSubject: 1 });
    expect(report.redaction?.counts.email).toBe(1);
    expect(readFileSync(output, 'utf8')).toBe(JSON.stringify({ user_id: 'user123', text: 'reach me at ***.*****@*******.***' }) + '\n');
    expect(readdirSync(dir).filter((n) => n.includes('.clean.jsonl.'))).toEqual([]); // no intermediate file left
    expect(report.digests).toHaveLength(3);
    expect(report.subjects).toBe(1);

    const lineage = await security.lineage();
    const graph = await lineage.lineageOf('dataset:clean-v1', { direction: 'upstream' });
    expect(graph.edges.map((e) => e.operation).sort()).toEqual(['consent_filter', 'redact']);
    const erased = await security.eraseSubject('user123', { actor: 'dpo' });
    expect(erased.consentRecords).toBe(1);
    expect(erased.affectedArtifacts.map((a) => a.names).flat()).toContain('dataset:clean-v1');
    expect(await consent.hasValidConsent('user123', 'training_data')).toBe(false);
    const events = await security.audit.query({ eventType: 'privacy.subject_erased' });
    expect(events).toHaveLength(1);
    expect(existsSync(output)).toBe(true);
  });

  it('refuses a purpose without its data type, and a run with nothing to do', async () => {
    const { security, dir } = await open();
    const files = { input: join(dir, 'in.jsonl'), output: join(dir, 'out.jsonl') };
    writeFileSync(files.input, '{"text":"x"}\n');
    await expect(security.dataProtectionManager({ automaticPiiRedaction: true }).prepareDataset(files, { purpose: 'research' })).rejects.toThrow(/needs the dataType/);
    await expect(security.dataProtectionManager({}).prepareDataset(files)).rejects.toThrow(/nothing to do/);
  });

  it('refuses every prepareDataset option it would otherwise ignore, naming the option and what it needs, before touching a file', async () => {
    const { security, dir } = await open();
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'yes', dataTypes: ['training_data'], purposes: ['research'], consentDate: '2024-01-01' });
    // The input does not exist: a refusal that read it would fail on the file instead.
    const files = { input: join(dir, 'missing.jsonl'), output: join(dir, 'out.jsonl') };
    const redacting = security.dataProtectionManager({ automaticPiiRedaction: true });
    const refused = async (manager: ReturnType<typeof security.dataProtectionManager>, options: Record<string, unknown>, message: RegExp) => {
      const err = await manager.prepareDataset(files, options as never).then(() => undefined, (e: unknown) => e);
      expect(err, JSON.stringify(options)).toMatchObject({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION' });
      expect((err as Error).message).toMatch(message);
    };
    // A data type without its purpose would skip the consent step: refused, naming both.
    await refused(redacting, { subjectField: 'user_id', dataType: 'training_data' }, /dataType .*purpose/);
    await refused(redacting, { subjectField: 'user_id', purpose: 'research' }, /purpose .*dataType/);
    // fields only chooses what automaticPiiRedaction redacts; outputName only names the lineage output.
    const consentOnly = security.dataProtectionManager({});
    await refused(consentOnly, { subjectField: 'user_id', dataType: 'training_data', purpose: 'research', fields: ['text'] }, /fields .*automaticPiiRedaction: true/);
    await refused(redacting, { outputName: 'dataset:x-1' }, /outputName .*dataLineageTracking: true/);
    await refused(consentOnly, { subjectField: 'user_id', dataType: 'training_data', purpose: 'research', actor: 'dpo' }, /actor .*dataLineageTracking: true/);
    await refused(redacting, { subjectField: 'user_id' }, /subjectField .*(purpose|dataLineageTracking)/);
    // lineage without a subject field would record no subject, and erasure name nothing: said, or refused
    const tracking = security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true });
    await refused(tracking, {}, /^DataProtectionManager\.prepareDataset: subjectField: dataLineageTracking records the subjects .*give subjectField, .* or subjectField: null if the records name no one/);
    await refused(tracking, { subjectField: null, dataType: 'training_data', purpose: 'research' }, /subjectField: the consent step needs subjectField/);
    await refused(redacting, { subjectField: null }, /subjectField: null tells dataLineageTracking .*dataLineageTracking: true, or leave subjectField out/);
    // A misspelt option is not a silently skipped step; nor is an empty one.
    await refused(redacting, { subjectField: 'user_id', dataType: 'training_data', purpse: 'research' }, /unknown option purpse/);
    await refused(redacting, { fields: [] }, /fields/);
    expect(existsSync(files.output)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('out.jsonl'))).toEqual([]);

    // The same options, each with what it needs, work.
    writeFileSync(files.input, [{ user_id: 'yes', text: 'mail me: ana@example.org', note: 'ana@example.org' }, { user_id: 'no', text: 'x' }].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const report = await security.dataProtectionManager({ automaticPiiRedaction: true }).prepareDataset(files, { subjectField: 'user_id', dataType: 'training_data', purpose: 'research', fields: ['text'], actor: 'dpo' });
    expect(report.consent).toMatchObject({ kept: 1, dropped: 1 });
    expect(JSON.parse(readFileSync(files.output, 'utf8'))).toMatchObject({ user_id: 'yes', note: 'ana@example.org' }); // only `fields` redacted
    const [summary] = await security.audit.query({ eventType: 'pii.dataset_redacted' });
    expect(summary?.userId).toBe('dpo'); // the actor is who the redaction audit names
    // subjectField: null says the records name no one: lineage records the steps, and no subject
    const untracked = await tracking.prepareDataset({ input: files.input, output: join(dir, 'public.jsonl') }, { subjectField: null });
    expect(untracked.subjects).toBeUndefined();
    expect((await (await security.lineage()).lineageOf(untracked.digests.at(-1)!, { direction: 'upstream' })).edges.map((e) => e.operation)).toEqual(['redact']);
  });
});
