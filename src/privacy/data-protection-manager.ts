import { z } from 'zod';
import type { AuditSink } from '../core/audit-sink.js';
import { LangtrainError } from '../core/errors.js';
import { durationField, parseOptions } from '../core/options.js';
import { EncryptionService, type EncryptionServiceOptions } from '../crypto/encryption-service.js';
import type { Keyring } from '../crypto/keyring/keyring.js';

/**
 * The seed's `DataProtectionManager`. Built so far: where data keys come from
 * (`encryptionKeySource`), how often they rotate (`keyRotationSchedule`) and cryptographic
 * erasure (`secureDeletion`). Its privacy options (differential privacy, PII redaction,
 * lineage) are refused until those parts exist.
 */
const NOT_YET: Record<string, string> = {
  differentialPrivacy: 'differential privacy is not built yet',
  privacyBudget: 'differential privacy is not built yet',
  noiseMultiplier: 'differential privacy is not built yet',
  automaticPiiRedaction: 'PII detection and redaction are not built yet',
  dataLineageTracking: 'data lineage tracking is not built yet',
};

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
  })
  .strict();

export type DataProtectionManagerOptions = z.input<typeof optionsSchema> & Partial<Record<keyof typeof NOT_YET, unknown>>;

export interface DataProtectionDeps {
  keyring: Keyring;
  audit: AuditSink;
  /** The deployment's `crypto.keyManagement`. */
  keyManagement: 'local' | 'hsm' | 'customer_managed';
}

export class DataProtectionManager {
  readonly options: z.output<typeof optionsSchema>;

  constructor(
    options: DataProtectionManagerOptions,
    private readonly deps: DataProtectionDeps,
  ) {
    const built: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(options)) {
      if (value === undefined) continue;
      const reason = NOT_YET[name];
      if (reason) throw new LangtrainError('ERR_OPTION_NOT_SUPPORTED_YET', `DataProtectionManager option ${name} is not supported yet: ${reason}`, { option: name });
      built[name] = value;
    }
    const parsed = parseOptions(optionsSchema, built, 'DataProtectionManager');
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
}
