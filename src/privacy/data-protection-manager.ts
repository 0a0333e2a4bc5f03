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
    /**
     * Per-subject keys, erasable (see EncryptionService); and prepareDataset overwrites its
     * temporary files (consented records before redaction, a failed step's partial output) with
     * zeros before removing them.
     */
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

export interface PrepareDatasetOptions {
  /**
   * Field naming each record's data subject: for the consent step and lineage's subject lists.
   * Required with `dataLineageTracking`, so that eraseSubject can name the data set; `null` says
   * the records name no subject (nothing is then recorded for erasure to find).
   */
  subjectField?: string | null;
  /** With `dataType`: keep only records whose subject consented to this purpose. */
  purpose?: string;
  /** With `purpose`: the data type the consent must cover (e.g. training_data). */
  dataType?: string;
  /** The fields `automaticPiiRedaction` redacts (default: every field). */
  fields?: string[];
  /** Who ran it: named in lineage (`dataLineageTracking`) and the redaction audit (`automaticPiiRedaction`). */
  actor?: string;
  /** A name for the output in lineage (`dataLineageTracking`), e.g. dataset:clean-v1. */
  outputName?: string;
}

/**
 * prepareDataset's options: each either does something under this manager's settings or is
 * refused, naming the option and what it needs (a misspelt option is refused too: a skipped
 * consent step must never pass for a run).
 */
const prepareOptionsSchema = (settings: { automaticPiiRedaction: boolean; dataLineageTracking: boolean }) =>
  z
    .object({
      subjectField: z.string().min(1).nullable().optional(),
      purpose: z.string().min(1).optional(),
      dataType: z.string().min(1).optional(),
      fields: z.array(z.string().min(1)).min(1, { message: 'name at least one field to redact, or leave fields out to redact every field' }).optional(),
      actor: z.string().min(1).optional(),
      outputName: z.string().min(1).optional(),
    })
    .strict()
    .superRefine((o, ctx) => {
      const refuse = (option: string, message: string) => ctx.addIssue({ code: 'custom', path: [option], message });
      if (o.purpose !== undefined && o.dataType === undefined) refuse('dataType', 'a consent purpose needs the dataType it is consent for (e.g. training_data): the consent step needs purpose and dataType');
      if (o.dataType !== undefined && o.purpose === undefined) refuse('purpose', 'dataType is only used by the consent step, which needs a purpose as well: give purpose (e.g. model_improvement) with dataType, or leave dataType out');
      if (o.fields !== undefined && !settings.automaticPiiRedaction) refuse('fields', 'fields chooses what automaticPiiRedaction redacts: build the DataProtectionManager with automaticPiiRedaction: true, or leave fields out');
      if (o.outputName !== undefined && !settings.dataLineageTracking) refuse('outputName', 'outputName names the output in lineage: build the DataProtectionManager with dataLineageTracking: true, or leave outputName out');
      if (o.actor !== undefined && !settings.dataLineageTracking && !settings.automaticPiiRedaction) refuse('actor', 'actor is recorded by lineage and the redaction audit: build the DataProtectionManager with dataLineageTracking: true or automaticPiiRedaction: true, or leave actor out');
      if (typeof o.subjectField === 'string' && o.purpose === undefined && o.dataType === undefined && !settings.dataLineageTracking) refuse('subjectField', 'subjectField is read by the consent step and lineage: give purpose and dataType, or build the DataProtectionManager with dataLineageTracking: true, or leave subjectField out');
      // Without a subject field lineage records no subject, and an erasure would name neither the
      // output nor the raw input: the caller says so (null) rather than forgets it.
      if (o.subjectField === undefined && settings.dataLineageTracking) {
        refuse('subjectField', "dataLineageTracking records the subjects the output and the input hold, so that eraseSubject names them: give subjectField, the field naming each record's data subject (e.g. user_id), or subjectField: null if the records name no one (no subject is then recorded, and no erasure will name these files)");
      }
      if (o.subjectField === null && (o.purpose !== undefined || o.dataType !== undefined)) refuse('subjectField', "the consent step needs subjectField, the field naming each record's data subject: null says there is none");
      else if (o.subjectField === null && !settings.dataLineageTracking) refuse('subjectField', 'subjectField: null tells dataLineageTracking that the records name no subject: build the DataProtectionManager with dataLineageTracking: true, or leave subjectField out');
    });

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
   * An `epsilon` in `options` must equal privacyBudget, and a `noiseMultiplier` the manager's
   * (when it has one; else it applies): a different value is refused, naming it, not overridden.
   */
  differentialPrivacy(options: Omit<DifferentialPrivacyOptions, 'epsilon' | 'noiseMultiplier'> & { epsilon?: number; noiseMultiplier?: number } = {}): DifferentialPrivacy {
    if (!this.options.differentialPrivacy) throw new LangtrainError('ERR_CONFIG_INVALID', 'this DataProtectionManager was built without differentialPrivacy: true (and a privacyBudget)');
    const { epsilon, noiseMultiplier, ...rest } = options ?? {};
    // epsilon and sigma are this manager's settings: a caller's value applies only where it is the same, or where the manager leaves sigma to calibration.
    if (epsilon !== undefined && epsilon !== this.options.privacyBudget) {
      throw new LangtrainError(
        'ERR_CONFIG_UNSUPPORTED_OPTION',
        `DataProtectionManager.differentialPrivacy: epsilon ${epsilon} differs from this manager's privacyBudget ${this.options.privacyBudget}; epsilon is the manager's privacyBudget: build the manager with privacyBudget: ${epsilon}, or leave epsilon out`,
        { option: 'epsilon' },
      );
    }
    if (noiseMultiplier !== undefined && this.options.noiseMultiplier !== undefined && noiseMultiplier !== this.options.noiseMultiplier) {
      throw new LangtrainError(
        'ERR_CONFIG_UNSUPPORTED_OPTION',
        `DataProtectionManager.differentialPrivacy: noiseMultiplier ${noiseMultiplier} differs from this manager's noiseMultiplier ${this.options.noiseMultiplier}; build the manager with noiseMultiplier: ${noiseMultiplier}, or leave noiseMultiplier out`,
        { option: 'noiseMultiplier' },
      );
    }
    const sigma = this.options.noiseMultiplier ?? noiseMultiplier;
    return new DifferentialPrivacy({ ...rest, epsilon: this.options.privacyBudget!, ...(sigma !== undefined ? { noiseMultiplier: sigma } : {}) });
  }

  /**
   * The front of the data path: records whose subject lacks consent for `purpose` to use
   * `dataType` dropped (when both are given), personal data redacted (`automaticPiiRedaction`,
   * in `fields` or every field), each step, the input's subjects and the output's recorded in
   * lineage (`dataLineageTracking`, which needs `subjectField`, or `subjectField: null` for
   * records that name no one). JSON Lines in and out. An option this manager's settings would
   * ignore is refused, naming what it needs, before any file is read.
   */
  async prepareDataset(files: { input: string; output: string }, options: PrepareDatasetOptions = {}): Promise<PreparedDataset> {
    if (typeof files !== 'object' || files === null || typeof files.input !== 'string' || typeof files.output !== 'string') {
      throw invalidInput('DataProtectionManager.prepareDataset takes the files { input, output }: the path of a JSON Lines data set (.jsonl) to read and of the file to write');
    }
    const { input, output, ...otherFiles } = files;
    if (Object.keys(otherFiles).length > 0) throw invalidInput(`DataProtectionManager.prepareDataset: unknown file ${Object.keys(otherFiles).join(', ')} (supported: input, output)`);
    const o = parseOptions(prepareOptionsSchema(this.options), options, 'DataProtectionManager.prepareDataset');
    const dependency = <T>(get: (() => Promise<T>) | undefined, what: string) => {
      if (!get) throw new LangtrainError('ERR_CONFIG_INVALID', `DataProtectionManager needs ${what} for this (SecurityManager.dataProtectionManager provides it)`);
      return get();
    };
    const consent = o.purpose !== undefined ? { manager: await dependency(this.deps.consent, 'a ConsentManager (deps.consent)'), dataType: o.dataType!, purpose: o.purpose } : undefined;
    // Loaded on first use: the recognizers' word lists would add most of a second to every CLI start.
    const { PIIDetector } = await import('./pii/pii-detector.js');
    const redaction = this.options.automaticPiiRedaction
      ? { detector: new PIIDetector({}, { audit: this.deps.audit, keys: await piiRedactionKeys(this.deps.keyring) }), ...(o.fields ? { fields: o.fields } : {}), ...(o.actor ? { actor: o.actor } : {}) }
      : undefined;
    const lineage = this.options.dataLineageTracking
      ? { store: await dependency(this.deps.lineage, 'a LineageStore (deps.lineage)'), actor: o.actor ?? 'data-protection-manager', ...(o.outputName ? { outputName: o.outputName } : {}) }
      : undefined;
    const { prepareDataset } = await import('./prepare-dataset.js');
    return prepareDataset(
      { input, output, ...(typeof o.subjectField === 'string' ? { subjectField: o.subjectField } : {}) },
      { ...(consent ? { consent } : {}), ...(redaction ? { redaction } : {}), ...(lineage ? { lineage } : {}), secureDeletion: this.options.secureDeletion },
    );
  }
}
