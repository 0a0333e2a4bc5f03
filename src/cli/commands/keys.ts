import { Command } from 'commander';
import { transformDataset } from '../../crypto/dataset-encryption.js';
import { EncryptionService } from '../../crypto/encryption-service.js';
import type { KeyInfo } from '../../crypto/keyring/keyring.js';
import { parseDuration } from '../../core/units.js';
import { invalidInput } from '../../core/errors.js';
import { openSecurity, output, withCommonOptions } from '../context.js';

type Run = (work: () => Promise<void>, json?: boolean) => Promise<void>;

/** `langtrain keys …`: the keyring (names, versions, rotation, destruction, erasure). */
export function keysCommand(run: Run): Command {
  const keys = new Command('keys').description('encryption keys: create, rotate, list, rewrap, erase subjects');
  const withKeyring = (o: Record<string, any>, work: (security: Awaited<ReturnType<typeof openSecurity>>) => Promise<void>) =>
    run(async () => {
      const security = await openSecurity(o);
      try {
        await work(security);
      } finally {
        await security.close();
      }
    }, o.json);

  withCommonOptions(keys.command('create'))
    .description('create a named key with its first version')
    .argument('<name>')
    .option('--rotation <duration>', 'rotate automatically at this age, e.g. 30d (default: crypto.keyRotationInterval); "never" to disable')
    .action((name: string, o) =>
      withKeyring(o, async (security) => {
        const rotationIntervalMs = o.rotation === undefined ? undefined : o.rotation === 'never' ? null : parseDuration(o.rotation, '--rotation');
        const info = await security.keyring.createKey(name, rotationIntervalMs === undefined ? {} : { rotationIntervalMs });
        output(o, info, () => describe(info));
      }),
    );

  withCommonOptions(keys.command('rotate'))
    .description('add a new primary version (older versions keep decrypting); --due rotates every key past its interval')
    .argument('[name]')
    .option('--due', 'rotate every key whose primary is older than its rotation interval')
    .action((name: string | undefined, o) =>
      withKeyring(o, async (security) => {
        if (o.due) {
          const rotated = await security.keyring.rotateDue();
          output(o, { rotated }, () => (rotated.length === 0 ? 'no key was due' : `rotated: ${rotated.join(', ')}`));
          return;
        }
        if (!name) throw invalidInput('name the key to rotate, or pass --due');
        const info = await security.keyring.rotate(name);
        output(o, info, () => describe(info));
      }),
    );

  withCommonOptions(keys.command('list'))
    .description('keys and their versions (never key material)')
    .option('--all', 'include per-subject keys')
    .action((o) =>
      withKeyring(o, async (security) => {
        const list = await security.keyring.list(o.all ? {} : { purpose: 'data' });
        output(o, list, () => (list.length === 0 ? 'no keys yet (langtrain keys create NAME)' : list.map(describe).join('\n\n')));
      }),
    );

  withCommonOptions(keys.command('min-version'))
    .description("refuse decryption below a version (Vault's min_decryption_version)")
    .argument('<name>')
    .argument('<version>')
    .action((name: string, version: string, o) =>
      withKeyring(o, async (security) => {
        const info = await security.keyring.setMinDecryptionVersion(name, Number(version));
        output(o, info, () => describe(info));
      }),
    );

  withCommonOptions(keys.command('destroy-version'))
    .description('destroy a version for good: everything it encrypted becomes unreadable')
    .argument('<name>')
    .argument('<version>')
    .action((name: string, version: string, o) =>
      withKeyring(o, async (security) => {
        const info = await security.keyring.destroyVersion(name, Number(version));
        output(o, info, () => describe(info));
      }),
    );

  withCommonOptions(keys.command('rewrap'))
    .description('re-encrypt a data set made by `langtrain encrypt` under the primary version (same options as encrypt), record by record in memory; the output appears only when complete')
    .requiredOption('--input <file>')
    .requiredOption('--output <file>')
    .option('--fields <paths>')
    .option('--scope <scope>', 'field | record', 'field')
    .requiredOption('--dataset <name>', 'the data set name it was encrypted with')
    .option('--record-id-field <field>')
    .option('--key <name>')
    .action((o) =>
      withKeyring(o, async (security) => {
        const options = {
          encryptionScope: o.scope,
          ...(o.fields ? { fields: String(o.fields).split(',') } : {}),
          ...(o.recordIdField ? { recordIdField: o.recordIdField } : {}),
          ...(o.key ? { key: o.key } : {}),
        };
        const service = new EncryptionService(options, security.keyring, security.audit);
        const dataset: string = o.dataset;
        const result = await transformDataset(service, { input: o.input, output: o.output, direction: 'rewrap', dataset });
        await security.audit.record({ eventType: 'keys.rewrapped', result: 'success', additionalData: { key: service.options.key, records: result.records } });
        output(o, result, () => `rewrapped ${result.records} records -> ${o.output}`);
      }),
    );

  withCommonOptions(keys.command('erase-subject'))
    .description("destroy one data subject's key: their encrypted fields become unreadable forever (audited)")
    .argument('<subjectId>')
    .option('--key <name>', 'the data key the subject keys belong to (default: datasets)')
    .action((subjectId: string, o) =>
      withKeyring(o, async (security) => {
        const service = new EncryptionService({ encryptionScope: 'record', secureDeletion: true, subjectField: 'subject', ...(o.key ? { key: o.key } : {}) }, security.keyring, security.audit);
        await service.eraseSubject(subjectId);
        output(o, { erased: true }, () => 'erased: that subject\'s key is destroyed');
      }),
    );

  return keys;
}

function describe(info: KeyInfo): string {
  const versions = info.versions.map((v) => `  v${v.version}  ${v.createdAt}${v.destroyedAt ? `  destroyed ${v.destroyedAt}` : ''}${v.version === info.primaryVersion ? '  (primary)' : ''}`);
  const rotation = info.rotationIntervalMs === null ? 'never' : `every ${Math.round(info.rotationIntervalMs / 86_400_000)}d`;
  return [`${info.name}  id ${info.keyId}  min decryption v${info.minDecryptionVersion}  rotation ${rotation}`, ...versions].join('\n');
}
