import { AuditLogger } from './audit/audit-logger.js';
import { loadConfig, type Config, type ConfigInput } from './core/config.js';
import { LangtrainError } from './core/errors.js';
import { AdminTokens, adminTokenMigrations } from './identity/admin-token.js';
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
  /** Not built yet: keys and encryption (issue 3). */
  encryptionLevel?: string;
  /** Not built yet: keys and encryption (issue 3). */
  keyRotationInterval?: string;
  /** Not built yet: keys and encryption (issue 3). */
  keyManagement?: string;
  /** Not built yet: threat detection and monitoring. */
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
  encryptionLevel: 'keys and encryption are not built yet',
  keyRotationInterval: 'keys and encryption are not built yet',
  keyManagement: 'keys and encryption are not built yet',
  realTimeMonitoring: 'security monitoring is not built yet',
  anomalyDetection: 'anomaly detection is not built yet',
  complianceMode: 'compliance frameworks are not built yet',
  dataResidency: 'data residency controls are not built yet',
  retentionPolicy: 'data retention policies are not built yet (the audit log has its own: audit.retentionPeriod)',
};

const SUPPORTED = ['auditLevel', 'configFile', 'config', 'env'];

/**
 * The composition root: reads the configuration, opens the one store, builds each domain
 * once and hands them out. The server and the CLI are thin shells over it.
 */
export class SecurityManager {
  private constructor(
    readonly config: Config,
    readonly store: Store,
    readonly audit: AuditLogger,
    readonly adminTokens: AdminTokens,
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
    const config = loadConfig({ file: options.configFile, env: options.env, overrides });

    const store = await openStore(config.store.url);
    try {
      const audit = new AuditLogger({ ...config.audit, store });
      await audit.open();
      await migrate(store, 'identity', adminTokenMigrations);
      const redis = config.store.redisUrl ? await openRedis(config.store.redisUrl, config.store.redisKeyPrefix) : undefined;
      return new SecurityManager(config, store, audit, new AdminTokens(store, audit), redis);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** Not built yet: security monitoring lands with threat detection. */
  enableMonitoring(_signals: string[]): never {
    throw new LangtrainError('ERR_OPTION_NOT_SUPPORTED_YET', 'SecurityManager.enableMonitoring is not supported yet: security monitoring is not built yet');
  }

  /** Close every part, even when one fails (the first failure is rethrown afterwards). */
  async close(): Promise<void> {
    try {
      await this.audit.close();
    } finally {
      try {
        await this.redis?.close();
      } finally {
        await this.store.close();
      }
    }
  }
}
