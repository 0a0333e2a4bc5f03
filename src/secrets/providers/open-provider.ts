import { LangtrainError } from '../../core/errors.js';
import type { Keyring } from '../../crypto/keyring/keyring.js';
import type { Store } from '../../store/database.js';
import type { SecretsManagerSettings } from '../options.js';
import type { SecretsProvider } from '../provider.js';
import { AwsSecretsManagerProvider } from './aws-secrets-manager.js';
import { AzureKeyVaultProvider } from './azure-key-vault.js';
import { LocalSecretsProvider } from './local.js';
import { VaultSecretsProvider } from './vault.js';

/** The provider the settings name, built from its (already validated) section. */
export function openProvider(settings: SecretsManagerSettings, deps: { store?: Store | undefined; keyring?: Keyring | undefined }): SecretsProvider {
  switch (settings.provider) {
    case 'local':
      if (!deps.store || !deps.keyring) {
        throw new LangtrainError('ERR_CONFIG_INVALID', 'SecretsManager: provider local keeps secrets in the store, encrypted by the keyring: pass deps.store and deps.keyring');
      }
      return new LocalSecretsProvider(deps.store, deps.keyring);
    case 'vault':
      return new VaultSecretsProvider(settings.vault!);
    case 'aws_secrets_manager':
      return new AwsSecretsManagerProvider(settings.awsSecretsManager!);
    case 'azure_kv':
      return new AzureKeyVaultProvider(settings.azureKv!);
  }
}
