import { AuditLogger } from './audit/audit-logger.js';
import type { AccessControl } from './access/store/access-control.js';
import type { AuthenticationManager, AuthenticationManagerOptions } from './identity/authentication-manager.js';
import type { BudgetLedger } from './privacy/budget/budget-ledger.js';
import type { ConsentManager } from './privacy/consent/consent-manager.js';
import type { ErasureReport } from './privacy/erasure.js';
import type { LineageStore } from './privacy/lineage/lineage-store.js';
import type { SubjectExport } from './privacy/subject-access.js';
import { Keyring } from './crypto/keyring/keyring.js';
import { keyringMigrations } from './crypto/keyring/schema.js';
import type { KeyEncryptionKey } from './crypto/kms/key-encryption-key.js';
import { openKek } from './crypto/kms/open-kek.js';
import { once, type Once } from './core/once.js';
import { EncryptionService, SUBJECT_REFS_SUFFIX } from './crypto/encryption-service.js';
import { DataProtectionManager, type DataProtectionManagerOptions } from './privacy/data-protection-manager.js';
import type { TrainOptions, TrainResult } from './privacy/train.js';
import type { PIIDetector, PIIDetectorOptions } from './privacy/pii/pii-detector.js';
import type { AdversarialDefense, AdversarialDefenseOptions, InjectionScorer } from './threat/adversarial/adversarial-defense.js';
import type { IncidentResponse } from './threat/incidents/incident-response.js';
import type { SecurityMonitor } from './threat/monitor/security-monitor.js';
import { piiRedactionKeys } from './privacy/pii/pii-keys.js';
import { SecretsManager, type SecretsManagerOptions } from './secrets/index.js';
import { loadConfig, type Config, type ConfigInput, type SmsGatewayConfig } from './core/config.js';
import { invalidInput, LangtrainError } from './core/errors.js';
import { SetupCodes, setupCodeMigrations } from './identity/setup-codes.js';
import { openStore, type Store } from './store/database.js';
import { migrate } from './store/migrations.js';
import { openRedis, type RedisConnection } from './store/redis.js';

/**
 * The seed's `SecurityManager` options. Each is either real or refused at construction
 * with the reason: none is accepted and ignored.
 */
export interface SecurityManagerOptions {
  /** `basic` | `detailed` (see docs/audit.md). Overrides `audit.level` in the configuration. */
  auditLevel?: 'basic' | 'detailed';
  /** `AES-256-GCM` (the only one supported). Overrides `crypto.encryptionLevel`. */
  encryptionLevel?: string;
  /** Age at which key versions rotate, e.g. `30d`. Overrides `crypto.keyRotationInterval`. */
  keyRotationInterval?: string;
  /** `local` | `hsm` | `customer_managed` (the seed writes `HSM`). Overrides `crypto.keyManagement`. */
  keyManagement?: string;
  /**
   * Runs the security monitor in this process (`monitoring.enabled` in the configuration, which
   * also sets its thresholds): alerts on failed sign-ins, data reads and model accuracy drops.
   */
  realTimeMonitoring?: boolean;
  /** Not built yet: threat detection and monitoring. */
  anomalyDetection?: boolean;
  /** Not built yet: compliance. */
  complianceMode?: string[];
  /** Not built yet: compliance. */
  dataResidency?: string;
  /** Not built yet: data retention policies (compliance). The audit log's own retention is `audit.retentionPeriod`. */
  retentionPolicy?: string;

  /** Configuration file (default `langtrain.config.yaml` when present). */
  configFile?: string;
  /** Configuration given in code; wins over the file and `LANGTRAIN_*` variables. */
  config?: ConfigInput;
  /** Environment to read `LANGTRAIN_*` from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

const NOT_YET: Record<string, string> = {
  anomalyDetection: 'anomaly detection is not built yet',
  complianceMode: 'compliance frameworks are not built yet',
  dataResidency: 'data residency controls are not built yet',
  retentionPolicy: 'data retention policies are not built yet (the audit log has its own: audit.retentionPeriod)',
};

/** The seed's `enable_monitoring` signals the monitor has a rule for, and the `monitoring` setting that is its threshold. */
const MONITORING_SIGNALS: Record<string, 'failedAuthAttempts' | 'unusualDataAccess' | 'privilegeEscalation'> = {
  unauthorized_access_attempts: 'failedAuthAttempts',
  data_access_patterns: 'unusualDataAccess',
  privilege_escalation: 'privilegeEscalation',
};
const SIGNALS_NOT_YET: Record<string, string> = {
  data_exfiltration_detection: 'exfiltration detection is not built yet',
  model_poisoning_attempts: 'data set poisoning scans (ThreatDetector) are not built yet',
  adversarial_input_detection: 'AdversarialDefense inspects inputs one by one (SecurityManager.adversarialDefense), but the monitor has no alert rule over what it flags yet',
};

/** How often due keys are rotated in a running process. */
const KEY_ROTATION_SWEEP_MS = 3_600_000;

const SUPPORTED = ['auditLevel', 'encryptionLevel', 'keyRotationInterval', 'keyManagement', 'realTimeMonitoring', 'configFile', 'config', 'env'];

/**
 * The composition root: reads the configuration, opens the one store, builds each domain
 * once and hands them out. The server and the CLI are thin shells over it.
 */
export class SecurityManager {
  private constructor(
    readonly config: Config,
    readonly store: Store,
    readonly audit: AuditLogger,
    /** One-time codes that create an administrator account (the first one, or one more after a lock-out). */
    readonly setupCodes: SetupCodes,
    /** Named, versioned encryption keys wrapped by the configured KEK (opened on first use). */
    readonly keyring: Keyring,
    private readonly kek: Once<KeyEncryptionKey>,
    readonly redis: RedisConnection | undefined,
  ) {}

  static async open(options: SecurityManagerOptions = {}): Promise<SecurityManager> {
    for (const [name, value] of Object.entries(options)) {
      if (value === undefined) continue;
      const reason = NOT_YET[name];
      if (reason) {
        throw new LangtrainError('ERR_OPTION_NOT_SUPPORTED_YET', `SecurityManager option ${name} is not supported yet: ${reason}. Supported now: ${SUPPORTED.join(', ')}`, {
          option: name,
        });
      }
      if (!SUPPORTED.includes(name)) {
        throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', `SecurityManager has no option ${name} (supported: ${SUPPORTED.join(', ')})`, { option: name });
      }
    }
    const overrides: ConfigInput = { ...options.config };
    if (options.auditLevel !== undefined) overrides.audit = { ...overrides.audit, level: options.auditLevel };
    const crypto = {
      ...(options.encryptionLevel !== undefined ? { encryptionLevel: options.encryptionLevel } : {}),
      ...(options.keyRotationInterval !== undefined ? { keyRotationInterval: options.keyRotationInterval } : {}),
      ...(options.keyManagement !== undefined ? { keyManagement: options.keyManagement } : {}),
    };
    if (Object.keys(crypto).length > 0) overrides.crypto = { ...overrides.crypto, ...crypto } as ConfigInput['crypto'];
    if (options.realTimeMonitoring !== undefined) overrides.monitoring = { ...overrides.monitoring, enabled: options.realTimeMonitoring };
    const manager = await SecurityManager.openWithConfig(loadConfig({ file: options.configFile, env: options.env, overrides }));
    try {
      await manager.startConfiguredMonitoring();
    } catch (err) {
      await manager.close();
      throw err;
    }
    return manager;
  }

  /**
   * Open on a configuration already loaded (`loadConfig`), for a caller that looks at it first:
   * the CLI refuses a missing SQLite store before opening it would create one, and so checks
   * the very configuration that is opened rather than a second load of it.
   */
  static async openWithConfig(config: Config): Promise<SecurityManager> {
    const store = await openStore(config.store.url);
    try {
      const audit = new AuditLogger({ ...config.audit, store });
      await audit.open();
      await migrate(store, 'identity', setupCodeMigrations);
      await migrate(store, 'crypto', keyringMigrations);
      const redis = config.store.redisUrl ? await openRedis(config.store.redisUrl, config.store.redisKeyPrefix) : undefined;
      const kek = once(() => openKek(config.crypto, store));
      const keyring = new Keyring(store, kek.get, audit, config.crypto.keyRotationInterval);
      const manager = new SecurityManager(config, store, audit, new SetupCodes(store, audit), keyring, kek, redis);
      manager.#scheduleRotation();
      return manager;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /**
   * The seed's `enable_monitoring(signals)`: starts this deployment's monitor with the alerts for
   * `signals`, at the thresholds of the `monitoring` configuration section. A signal whose
   * detector is not built is refused, naming the ones that are.
   */
  async enableMonitoring(signals: string[]): Promise<SecurityMonitor> {
    if (!Array.isArray(signals) || signals.length === 0) throw invalidInput(`enableMonitoring takes a list of signals (supported: ${Object.keys(MONITORING_SIGNALS).join(', ')})`);
    const thresholds: Record<string, number> = {};
    for (const signal of signals) {
      const rule = MONITORING_SIGNALS[signal];
      if (rule === undefined) {
        const reason = SIGNALS_NOT_YET[signal];
        throw new LangtrainError(
          reason ? 'ERR_OPTION_NOT_SUPPORTED_YET' : 'ERR_CONFIG_UNSUPPORTED_OPTION',
          `SecurityManager.enableMonitoring: ${reason ? `signal ${signal} is not supported yet: ${reason}` : `no signal ${signal}`} (supported: ${Object.keys(MONITORING_SIGNALS).join(', ')})`,
          { option: signal },
        );
      }
      const value = this.config.monitoring[rule];
      if (value === null) throw invalidInput(`SecurityManager.enableMonitoring: signal ${signal} needs monitoring.${rule} in the configuration, which is null`);
      thresholds[rule] = value;
    }
    const monitor = await this.monitor();
    if (monitor.running) await monitor.stopMonitoring();
    await monitor.startMonitoring({ alertThresholds: thresholds, window: this.config.monitoring.window, pollInterval: this.config.monitoring.pollInterval });
    return monitor;
  }

  #injectionScorer: Promise<InjectionScorer> | undefined;

  /**
   * The seed's `AdversarialDefense` for inputs to language models, its classifier trained (once
   * per SecurityManager, about a second) on the prompt-injection examples shipped with the package.
   */
  async adversarialDefense(options: AdversarialDefenseOptions = {}): Promise<AdversarialDefense> {
    const { AdversarialDefense } = await import('./threat/adversarial/adversarial-defense.js');
    return new AdversarialDefense(options, { audit: this.audit, scorer: await this.#trainInjectionScorer() });
  }

  #trainInjectionScorer(): Promise<InjectionScorer> {
    this.#injectionScorer ??= (async () => {
      const [{ trainClassifier }, { PROMPT_INJECTION_EXAMPLES }] = await Promise.all([import('./privacy/training/index.js'), import('./threat/adversarial/prompt-injection-examples.js')]);
      // plain (not private) training: the examples are public; settings fixed before looking at the test split
      const { classifier } = await trainClassifier({ examples: PROMPT_INJECTION_EXAMPLES.map((e) => ({ text: e.text, label: e.label })), labels: [0, 1], epochs: 100, learningRate: 2, features: { bits: 18 } });
      return (text: string) => classifier.probabilities(text).find((p) => p.label === 1)!.probability;
    })();
    // a failed training is tried again at the next call, not kept
    this.#injectionScorer.catch(() => (this.#injectionScorer = undefined));
    return this.#injectionScorer;
  }

  #monitor: Promise<SecurityMonitor> | undefined;
  #incidents: Promise<IncidentResponse> | undefined;

  /** The seed's `SecurityMonitor` over this deployment's store and audit log (not started: `startMonitoring`); its alerts open incidents. */
  monitor(): Promise<SecurityMonitor> {
    this.#monitor ??= (async () => {
      const [{ SecurityMonitor }, incidents] = await Promise.all([import('./threat/monitor/security-monitor.js'), this.incidentResponse()]);
      return new SecurityMonitor({ store: this.store, audit: this.audit, stream: this.audit, incidents });
    })();
    return this.#monitor;
  }

  /**
   * The seed's `IncidentResponse`: playbooks in the store, run by the monitor for each alert, with
   * the webhook of `monitoring.notify` and evidence bundles in `monitoring.forensicsDir`.
   */
  incidentResponse(): Promise<IncidentResponse> {
    this.#incidents ??= (async () => {
      const [{ IncidentResponse }, { WebhookNotifier }, { threatMigrations }] = await Promise.all([import('./threat/incidents/incident-response.js'), import('./threat/incidents/webhook-notifier.js'), import('./threat/schema.js')]);
      await migrate(this.store, 'threat', threatMigrations);
      const notify = this.config.monitoring.notify;
      return new IncidentResponse({ store: this.store, audit: this.audit, notifier: notify ? new WebhookNotifier(notify) : null, evidence: this.audit, forensicsDir: this.config.monitoring.forensicsDir });
    })();
    return this.#incidents;
  }

  /**
   * Starts the monitor when the configuration enables it (`monitoring.enabled`, or the
   * `realTimeMonitoring` option), with its thresholds; the server calls it when it starts, and
   * `SecurityManager.open` does. Null when it is not enabled; the running monitor if it already runs.
   */
  async startConfiguredMonitoring(): Promise<SecurityMonitor | null> {
    const settings = this.config.monitoring;
    if (!settings.enabled) return null;
    const monitor = await this.monitor();
    if (monitor.running) return monitor;
    const thresholds = Object.fromEntries((['failedAuthAttempts', 'unusualDataAccess', 'modelPerformanceDrop', 'privilegeEscalation'] as const).flatMap((rule) => (settings[rule] === null ? [] : [[rule, settings[rule]]])));
    if (settings.siem) monitor.configureSiemIntegration(settings.siem);
    await monitor.startMonitoring({ alertThresholds: thresholds, window: settings.window, pollInterval: settings.pollInterval });
    return monitor;
  }

  #rotationTimer: NodeJS.Timeout | undefined;

  #authentication: Promise<AuthenticationManager> | undefined;

  /**
   * The seed's `AuthenticationManager` over this deployment: users, sessions (revocation shared
   * through Redis when configured) and API keys (rate limits in Redis when configured, else in
   * memory). Without `options`, the one configured by the `auth` section, built once and shared
   * (the server's); with them, a new one. The API key pepper, the TOTP sealing key and the CSRF
   * key are derived (HKDF) from a keyring key that never rotates on a schedule, so they stay
   * stable and are never stored anywhere else.
   */
  authenticationManager(options?: AuthenticationManagerOptions & ServerAuthOptions): Promise<AuthenticationManager> {
    if (options !== undefined) return this.#buildAuthentication(options);
    this.#authentication ??= this.#buildAuthentication(this.config.auth);
    return this.#authentication;
  }

  async #buildAuthentication(input: AuthenticationManagerOptions & ServerAuthOptions): Promise<AuthenticationManager> {
    // Loaded on first use: the identity stack (WebAuthn, SAML, OIDC) is most of a CLI start's module loading.
    const { buildAuthentication } = await import('./identity/build-authentication.js');
    return buildAuthentication(input, { store: this.store, audit: this.audit, keyring: this.keyring, ...(this.redis ? { redis: this.redis } : {}) });
  }

  #accessControl: Promise<AccessControl> | undefined;

  /** The deployment's roles, bindings and policies (in the store), compiled and kept current across instances. */
  accessControl(): Promise<AccessControl> {
    this.#accessControl ??= (async () => {
      const [{ AccessControl }, { accessMigrations }] = await Promise.all([import('./access/store/access-control.js'), import('./access/store/schema.js')]);
      await migrate(this.store, 'access', accessMigrations);
      return AccessControl.open({ store: this.store, audit: this.audit });
    })();
    return this.#accessControl;
  }

  /** The seed's `DataProtectionManager` over this deployment's keyring and audit log. */
  dataProtectionManager(options: DataProtectionManagerOptions = {}): DataProtectionManager {
    return new DataProtectionManager(options, { keyring: this.keyring, audit: this.audit, keyManagement: this.config.crypto.keyManagement, consent: () => this.consentManager(), lineage: () => this.lineage() });
  }

  #consent: Promise<ConsentManager> | undefined;
  #lineage: Promise<LineageStore> | undefined;
  #budgets: Promise<BudgetLedger> | undefined;

  /** The seed's `ConsentManager` over this deployment's store and audit log. */
  consentManager(): Promise<ConsentManager> {
    this.#consent ??= (async () => {
      const [{ ConsentManager }, { consentMigrations }] = await Promise.all([import('./privacy/consent/consent-manager.js'), import('./privacy/consent/schema.js')]);
      await migrate(this.store, 'consent', consentMigrations);
      return new ConsentManager({ store: this.store, audit: this.audit });
    })();
    return this.#consent;
  }

  /**
   * The seed's `train` with this deployment's ledger, lineage and audit log: the privacy unit's
   * budget is kept in the store across runs and processes, the model's lineage recorded.
   */
  async train(options: TrainOptions): Promise<TrainResult> {
    const { train } = await import('./privacy/train.js');
    return train(options, { ledger: await this.privacyBudgets(), lineage: await this.lineage(), audit: this.audit });
  }

  /** Differential-privacy budgets per privacy unit: spends composed by the accountant, enforced before a step runs. */
  privacyBudgets(): Promise<BudgetLedger> {
    this.#budgets ??= (async () => {
      const [{ BudgetLedger }, { budgetMigrations }] = await Promise.all([import('./privacy/budget/budget-ledger.js'), import('./privacy/budget/schema.js')]);
      await migrate(this.store, 'privacy_budget', budgetMigrations);
      return new BudgetLedger({ store: this.store, audit: this.audit });
    })();
    return this.#budgets;
  }

  /** Data lineage: which artifact was made from which, by what, and which subjects each holds. */
  lineage(): Promise<LineageStore> {
    this.#lineage ??= (async () => {
      const [{ LineageStore }, { lineageMigrations }] = await Promise.all([import('./privacy/lineage/lineage-store.js'), import('./privacy/lineage/schema.js')]);
      await migrate(this.store, 'lineage', lineageMigrations);
      return new LineageStore({ store: this.store, audit: this.audit });
    })();
    return this.#lineage;
  }

  /**
   * The right to be forgotten: the subject's own keys destroyed under every keyring key that
   * data sets were encrypted under with per-subject keys (or only `encryptionKey`, which must be
   * one of them), consent records and lineage links deleted, the affected data sets and models
   * listed, one audit record; with `shredAuditTrail`, the audit log's sealed payloads of the
   * subject's events made unreadable too (a log with encryption only).
   */
  async eraseSubject(userId: string, options: { actor: string; encryptionKey?: string; shredAuditTrail?: boolean }): Promise<ErasureReport> {
    const { eraseSubject, parseEraseSubjectOptions } = await import('./privacy/erasure.js');
    options = parseEraseSubjectOptions(options);
    const perSubject = await this.#keysWithSubjectKeys();
    if (options.encryptionKey !== undefined && !perSubject.includes(options.encryptionKey)) {
      throw invalidInput(
        `no data was encrypted with per-subject keys under the key ${options.encryptionKey}; ${perSubject.length > 0 ? `keys that have them: ${perSubject.join(', ')}` : 'no key has them'} (leave the key out to erase under all of them)`,
        { field: 'encryptionKey' },
      );
    }
    const encryption = (options.encryptionKey !== undefined ? [options.encryptionKey] : perSubject).map((key) => this.#subjectKeyService(key));
    // The log is read too: the report counts the entries that still name the subject in clear.
    const report = await eraseSubject(userId, { consent: await this.consentManager(), lineage: await this.lineage(), budgets: await this.privacyBudgets(), encryption, audit: this.audit, auditLog: this.audit, actor: options.actor, shredAuditTrail: options.shredAuditTrail === true });
    // the deleted rows' bytes (their actor keys, their consent) too, after the erasure stands
    report.filesScrubbed = await this.store.scrubDeleted();
    return report;
  }

  /**
   * The right of access (GDPR Art. 15): one document with everything the privacy domains hold
   * about the subject (consent history, the data sets and models lineage says contain them, the
   * keys they have a key of their own under, their audit log entries), audited as an access request. Creates no key.
   * The CLI's `consent export` and the server's `GET /v1/consent/:userId/export` return it.
   */
  async exportSubject(userId: string, options: { actor: string }): Promise<SubjectExport> {
    const { exportSubject, parseExportSubjectOptions } = await import('./privacy/subject-access.js');
    const { actor } = parseExportSubjectOptions(options);
    const encryption = (await this.#keysWithSubjectKeys()).map((key) => this.#subjectKeyService(key));
    return exportSubject(userId, { consent: await this.consentManager(), lineage: await this.lineage(), budgets: await this.privacyBudgets(), encryption, audit: this.audit, auditLog: this.audit, actor });
  }

  /** A service over `key`'s per-subject keys, to find or destroy a subject's key (the fields and subject field play no part there). */
  #subjectKeyService(key: string): EncryptionService {
    return new EncryptionService({ key, encryptionScope: 'record', secureDeletion: true, subjectField: 'subject' }, this.keyring, this.audit);
  }

  /**
   * The keyring keys data sets were encrypted under with per-subject keys: those whose
   * subject-refs key exists (a system key; a data key in a store from before system keys).
   */
  async #keysWithSubjectKeys(): Promise<string[]> {
    const names = [...(await this.keyring.list({ purpose: 'system' })), ...(await this.keyring.list({ purpose: 'data' }))].map((k) => k.name);
    return names.filter((name) => name.endsWith(SUBJECT_REFS_SUFFIX)).map((name) => name.slice(0, -SUBJECT_REFS_SUFFIX.length));
  }

  /**
   * The seed's `PIIDetector`, recording redactions in this deployment's audit log; `hash` and
   * `encrypt` use the keyring's `pii` key (created on first use).
   */
  async piiDetector(options: PIIDetectorOptions = {}): Promise<PIIDetector> {
    const method = options.redactionMethod;
    const keys = method === 'hash' || method === 'encrypt' ? await piiRedactionKeys(this.keyring) : undefined;
    // Loaded on first use: the recognizers' word lists would add most of a second to every CLI start.
    const { PIIDetector } = await import('./privacy/pii/pii-detector.js');
    return new PIIDetector(options, { audit: this.audit, ...(keys ? { keys } : {}) });
  }

  /**
   * The seed's `SecretsManager` over this deployment's store, keyring and audit log
   * (`provider: 'local'` by default; remote providers take their settings section).
   */
  secretsManager(options: SecretsManagerOptions = {}): SecretsManager {
    return new SecretsManager(options, { store: this.store, keyring: this.keyring, audit: this.audit });
  }

  /**
   * `keyRotationInterval`: keys whose primary version is older than their interval are
   * rotated hourly (and `langtrain keys rotate --due` does it on demand). A failure is
   * recorded in the audit log, and tried again next hour.
   */
  #scheduleRotation(): void {
    const failed = (eventType: string) => (err: unknown) =>
      this.audit.record({ eventType, result: 'failure', additionalData: { reason: err instanceof Error ? err.message : String(err) } }).catch(() => undefined);
    const sweep = () => {
      void this.keyring.rotateDue().catch(failed('keys.rotation_failed'));
      // The deployment's API keys with autoRotate get their successors (once it has signed anyone in).
      void this.#authentication?.then((auth) => auth.apiKeys.rotateDue()).catch(failed('auth.api_key_rotation_failed'));
    };
    this.#rotationTimer = setInterval(sweep, KEY_ROTATION_SWEEP_MS);
    this.#rotationTimer.unref();
  }

  /** Close every part, even when one fails (the first failure is rethrown afterwards). */
  async close(): Promise<void> {
    clearInterval(this.#rotationTimer);
    try {
      await (await this.#monitor?.catch(() => undefined))?.stopMonitoring();
      await this.audit.close();
    } finally {
      try {
        await this.redis?.close();
        await this.kek.close((k) => k.close());
      } finally {
        await this.store.close();
      }
    }
  }
}

/** Deployment settings beside the seed's AuthenticationManager options (the `auth` config section has them all). */
export interface ServerAuthOptions {
  /** Where browsers reach the server: SSO callback URLs and the WebAuthn origin. */
  publicUrl?: string;
  /** The SMS gateway for `mfaMethods: sms`. */
  sms?: SmsGatewayConfig;
  /** What a sign-in at `concurrentSessions` does (SessionStore `onLimit`). */
  onSessionLimit?: 'end_oldest' | 'refuse_new';
}

