import { z } from 'zod';
import type { AuditSink } from '../core/audit-sink.js';
import { invalidInput, LangtrainError } from '../core/errors.js';
import { durationField, parseOptions } from '../core/options.js';
import { EncryptionService, type EncryptionServiceOptions } from '../crypto/encryption-service.js';
import type { Keyring } from '../crypto/keyring/keyring.js';
import type { ConsentManager } from './consent/consent-manager.js';
import { DifferentialPrivacy, type DifferentialPrivacyOptions } from './differential-privacy.js';
import type { LineageStore } from './lineage/lineage-store.js';
import { piiRedactionKeys } from './pii/pii-keys.js';
import type { PreparedDataset } from './prepare-dataset.js';

/**
 * The seed's `DataProtectionManager`: where data keys come from (`encryptionKeySource`), how
 * often they rotate (`keyRotationSchedule`), cryptographic erasure (`secureDeletion`), and the
 * data path's front (`prepareDataset`: consent, `automaticPiiRedaction`, `dataLineageTracking`),
 * and the training privacy engine (`differentialPrivacy`, `privacyBudget`, `noiseMultiplier`).
 */

const optionsSchema = z
  .object({
    /**
     * Where the key-encryption key lives; must be the deployment's `crypto.keyManagement`
     * (one KEK protects the keyring), so asking for another source is refused, not ignored.
     */
    encryptionKeySource: z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(['local', 'hsm', 'customer_managed'], { message: 'supported: local, hsm, customer_managed' }))
      .optional(),
    /** Rotation interval of the data keys this manager uses, e.g. `90d`. */
    keyRotationSchedule: durationField('keyRotationSchedule').optional(),
    /** Per-subject keys, erasable (see EncryptionService). */
    secureDeletion: z.boolean().default(false),
    /** prepareDataset redacts personal data (PIIDetector: every type, masking, audited). */
    automaticPiiRedaction: z.boolean().default(false),
    /** prepareDataset records each step as a lineage edge and the subjects its output holds. */
    dataLineageTracking: z.boolean().default(false),
    /** Training through this manager is differentially private (differentialPrivacy() gives the engine). */
    differentialPrivacy: z.boolean().default(false),
    /** The epsilon budget of the engine differentialPrivacy() gives. */
    privacyBudget: z.number().positive().finite().optional(),
    /** Its noise multiplier; default calibrated to privacyBudget for the epochs trained. */
    noiseMultiplier: z.number().positive().finite().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const option of ['privacyBudget', 'noiseMultiplier'] as const) {
      if (o[option] !== undefined && !o.differentialPrivacy) ctx.addIssue({ code: 'custom', path: [option], message: `${option} is a differential-privacy setting: set differentialPrivacy: true as well` });
    }
    if (o.differentialPrivacy && o.privacyBudget === undefined) ctx.addIssue({ code: 'custom', path: ['privacyBudget'], message: 'differentialPrivacy needs a privacyBudget (the epsilon training may spend)' });
  });

export type DataProtectionManagerOptions = z.input<typeof optionsSchema>;

export interface DataProtectionDeps {
  keyring: Keyring;
  audit: AuditSink;
  /** For prepareDataset's consent step and lineage (SecurityManager passes its own). */
  consent?: () => Promise<ConsentManager>;
  lineage?: () => Promise<LineageStore>;
  /** The deployment's `crypto.keyManagement`. */
  keyManagement: 'local' | 'hsm' | 'customer_managed';
}

export class DataProtectionManager {
  readonly options: z.output<typeof optionsSchema>;

  constructor(
    options: DataProtectionManagerOptions,
    private readonly deps: DataProtectionDeps,
  ) {
    const parsed = parseOptions(optionsSchema, options, 'DataProtectionManager');
    const source = parsed.encryptionKeySource;
    if (source !== undefined && source !== deps.keyManagement) {
      throw new LangtrainError(
        'ERR_CONFIG_UNSUPPORTED_OPTION',
        `DataProtectionManager: encryptionKeySource ${source} needs the deployment's KEK to be ${source}: set crypto.keyManagement: ${source}${source === 'local' ? '' : ' and crypto.kek: <URI of the key>'} (it is ${deps.keyManagement})`,
        { option: 'encryptionKeySource' },
      );
    }
    this.options = parsed;
  }

  /**
   * An EncryptionService whose key follows this manager's rotation schedule and erasure
   * setting. The key is created if missing; an existing key's schedule is updated.
   */
  async encryptionService(options: Omit<EncryptionServiceOptions, 'secureDeletion'>): Promise<EncryptionService> {
    const service = new EncryptionService({ ...options, secureDeletion: this.options.secureDeletion }, this.deps.keyring, this.deps.audit);
    const name = service.options.key;
    await this.deps.keyring.ensureKey(name);
    if (this.options.keyRotationSchedule !== undefined && (await this.deps.keyring.describe(name, { fresh: true })).rotationIntervalMs !== this.options.keyRotationSchedule) {
      await this.deps.keyring.setRotationInterval(name, this.options.keyRotationSchedule);
    }
    return service;
  }

  /**
   * The privacy engine for `train`: epsilon from `privacyBudget`, sigma from `noiseMultiplier`
   * (or calibrated), the rest (delta, samplingRate, clippingNorm, accountant, unit) from `options`.
   */
  differentialPrivacy(options: Omit<DifferentialPrivacyOptions, 'epsilon' | 'noiseMultiplier'> = {}): DifferentialPrivacy {
    if (!this.options.differentialPrivacy) throw new LangtrainError('ERR_CONFIG_INVALID', 'this DataProtectionManager was built without differentialPrivacy: true (and a privacyBudget)');
    return new DifferentialPrivacy({ ...options, epsilon: this.options.privacyBudget!, ...(this.options.noiseMultiplier !== undefined ? { noiseMultiplier: this.options.noiseMultiplier } : {}) });
  }

  /**
   * The front of the data path: records whose subject lacks consent for `purpose` dropped (when
   * a purpose is given), personal data redacted (`automaticPiiRedaction`), each step and the
   * output's subjects recorded in lineage (`dataLineageTracking`). JSON Lines in and out.
   */
  async prepareDataset(
    files: { input: string; output: string },
    options: { subjectField?: string; purpose?: string; dataType?: string; fields?: string[]; actor?: string; outputName?: string } = {},
  ): Promise<PreparedDataset> {
    const dependency = <T>(get: (() => Promise<T>) | undefined, what: string) => {
      if (!get) throw new LangtrainError('ERR_CONFIG_INVALID', `DataProtectionManager needs ${what} for this (SecurityManager.dataProtectionManager provides it)`);
      return get();
    };
    if (options.purpose !== undefined && options.dataType === undefined) throw invalidInput('a consent purpose needs the dataType it is consent for (e.g. training_data)', { field: 'dataType' });
    const consent = options.purpose !== undefined ? { manager: await dependency(this.deps.consent, 'a ConsentManager (deps.consent)'), dataType: options.dataType!, purpose: options.purpose } : undefined;
    // Loaded on first use: the recognizers' word lists would add most of a second to every CLI start.
    const { PIIDetector } = await import('./pii/pii-detector.js');
    const redaction = this.options.automaticPiiRedaction
      ? { detector: new PIIDetector({}, { audit: this.deps.audit, keys: await piiRedactionKeys(this.deps.keyring) }), ...(options.fields ? { fields: options.fields } : {}) }
      : undefined;
    const lineage = this.options.dataLineageTracking
      ? { store: await dependency(this.deps.lineage, 'a LineageStore (deps.lineage)'), actor: options.actor ?? 'data-protection-manager', ...(options.outputName ? { outputName: options.outputName } : {}) }
      : undefined;
    const { prepareDataset } = await import('./prepare-dataset.js');
    return prepareDataset(
      { input: files.input, output: files.output, ...(options.subjectField ? { subjectField: options.subjectField } : {}) },
      { ...(consent ? { consent } : {}), ...(redaction ? { redaction } : {}), ...(lineage ? { lineage } : {}) },
    );
  }
}
