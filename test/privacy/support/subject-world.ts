import { createHash, randomBytes } from 'node:crypto';
import { EncryptionService } from '../../../src/crypto/encryption-service.js';
import { Keyring } from '../../../src/crypto/keyring/keyring.js';
import { keyringMigrations } from '../../../src/crypto/keyring/schema.js';
import { kekFromKey } from '../../../src/crypto/kms/local.js';
import { BudgetLedger } from '../../../src/privacy/budget/budget-ledger.js';
import { budgetMigrations } from '../../../src/privacy/budget/schema.js';
import { ConsentManager } from '../../../src/privacy/consent/consent-manager.js';
import { consentMigrations } from '../../../src/privacy/consent/schema.js';
import { LineageStore } from '../../../src/privacy/lineage/lineage-store.js';
import { lineageMigrations } from '../../../src/privacy/lineage/schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { RecordedEvents } from '../../support/recorded-events.js';

const digestOf = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`;
/** The artifacts of the world: a raw data set, its cleaned copy, a model trained on it, and an unrelated one. */
export const [RAW, CLEAN, MODEL, OTHER] = ['raw', 'clean', 'model', 'other'].map(digestOf) as [string, string, string, string];
export const ACTOR = 'dpo@company.example';

export const place = (recordId: string) => ({ dataset: 'customers', recordId });
export const customer = (user: string) => ({ user_id: user, email: `${user}@mail.example`, text: `notes about ${user}` });

/**
 * Where the right-of-access and erasure tests start: a store with the consent, lineage,
 * privacy budget and keyring domains (`budgets`: a ledger with no budget yet); alice (a grant, then a withdrawal) and bob (a grant) in consent; RAW -> CLEAN
 * -> MODEL in lineage, RAW holding alice and bob, OTHER holding bob; and `datasets`, a field
 * service with per-subject keys.
 */
export async function subjectWorld(url: string, options: { clock?: () => Date } = {}) {
  const store: Store = await openStore(url);
  for (const [domain, migrations] of [['consent', consentMigrations], ['lineage', lineageMigrations], ['privacy_budget', budgetMigrations], ['crypto', keyringMigrations]] as const) await migrate(store, domain, migrations);
  const audit = new RecordedEvents();
  const consent = new ConsentManager({ store, audit, ...(options.clock ? { clock: options.clock } : {}) });
  const lineage = new LineageStore({ store, audit });
  const budgets = new BudgetLedger({ store, audit, ...(options.clock ? { clock: options.clock } : {}) });
  const kek = randomBytes(32);
  const keyring = new Keyring(store, async () => kekFromKey('file:test', kek), audit);
  const datasets = new EncryptionService({ encryptionScope: 'field', fields: ['email', 'text'], secureDeletion: true, subjectField: 'user_id' }, keyring, audit);

  await consent.recordConsent({ userId: 'alice', dataTypes: ['email', 'chat_transcripts'], purposes: ['model_training'] });
  await consent.withdrawConsent({ userId: 'alice', dataTypes: ['email'] });
  await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['model_training'] });
  await lineage.recordTransformation({ inputDigest: RAW, outputDigest: CLEAN, operation: 'redact', actor: 'pipeline' });
  await lineage.recordTransformation({ inputDigest: CLEAN, outputDigest: MODEL, operation: 'train', actor: 'pipeline' });
  await lineage.nameArtifact(RAW, 'dataset:customers-v2');
  await lineage.nameArtifact(MODEL, 'model:classifier-3');
  await lineage.recordSubjects(RAW, ['alice', 'bob']);
  await lineage.recordSubjects(OTHER, ['bob']);
  return { store, audit, consent, lineage, budgets, keyring, datasets };
}
