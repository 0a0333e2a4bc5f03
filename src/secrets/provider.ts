/**
 * The one small interface every place a secret can live implements. `SecretsManager` does
 * validation, rotation policy and audit around it; a provider only moves values to and from
 * its backend and reports what the backend said, mapped to `LangtrainError` codes.
 */

/** Where secrets live: the seed's three remote providers plus the embedded default. */
export type ProviderName = 'local' | 'vault' | 'aws_secrets_manager' | 'azure_kv';

export const PROVIDER_NAMES = ['local', 'vault', 'aws_secrets_manager', 'azure_kv'] as const satisfies readonly ProviderName[];

/** String tags, the same on every provider (see `checkTags` for the shared limits). */
export type SecretTags = Record<string, string>;

/**
 * Versions are opaque strings because the backends name them differently: `local` and
 * `vault` count from "1", AWS uses the VersionId (a UUID), Azure the 32-hex version id.
 */
export type SecretVersion = string;

export interface StoredSecretVersion {
  name: string;
  version: SecretVersion;
  /** ISO 8601. */
  createdAt: string;
}

export interface SecretValue {
  name: string;
  version: SecretVersion;
  value: string;
  tags: SecretTags;
  createdAt: string;
}

/** A secret without its value. */
export interface SecretSummary {
  name: string;
  /** The current version. */
  version: SecretVersion;
  tags: SecretTags;
  /** When the current version was written; null when the backend cannot say without another call. */
  createdAt: string | null;
}

export interface SecretVersionInfo {
  version: SecretVersion;
  createdAt: string;
  /** The version a read without `version` returns. */
  current: boolean;
  /** Its value is gone for good (deleted secret or destroyed version). */
  destroyed: boolean;
}

export interface SecretsProvider {
  readonly name: ProviderName;
  /** How this backend encrypts values at rest (checked against the `encryption` option). */
  readonly atRestEncryption: 'AES-256-GCM';
  /** Write a new version. `tags` replaces the secret's tags; undefined keeps them. */
  put(name: string, value: string, tags: SecretTags | undefined): Promise<StoredSecretVersion>;
  /** The current version, or `version`. ERR_NOT_FOUND for an unknown, deleted or destroyed one. */
  get(name: string, version?: SecretVersion): Promise<SecretValue>;
  /** Current version and tags, without the value. ERR_NOT_FOUND when absent or deleted. */
  describe(name: string): Promise<SecretSummary>;
  /** Every secret that is not deleted, without values. */
  list(): Promise<SecretSummary[]>;
  /** Every version the backend still knows, oldest first. */
  versions(name: string): Promise<SecretVersionInfo[]>;
  /** Make every version unreadable; later `get`s fail with ERR_NOT_FOUND. */
  delete(name: string): Promise<void>;
  close(): Promise<void>;
}
