import { Command } from 'commander';
import { onPrimaryVersions, transformDataset } from '../../crypto/dataset-encryption.js';
import { EncryptionService } from '../../crypto/encryption-service.js';
import type { KeyInfo } from '../../crypto/keyring/keyring.js';
import { parseDuration } from '../../core/units.js';
import { invalidInput } from '../../core/errors.js';
import { output, withCommonOptions, withSecurity, type Run } from '../context.js';
import { wholeNumberOption } from '../number-options.js';
import { startProgress } from '../progress.js';

/** `langtrain keys …`: the keyring (names, versions, rotation, destruction, erasure). */
export function keysCommand(run: Run): Command {
  const keys = new Command('keys').description('encryption keys: create, rotate, list, rewrap, erase subjects');
  withCommonOptions(keys.command('create'))
    .description('create a named key with its first version')
    .argument('<name>')
    .option('--rotation <duration>', 'rotate automatically at this age, e.g. 30d (default: crypto.keyRotationInterval); "never" to disable')
    .action((name: string, o) =>
      withSecurity(run, o, async (security) => {
        const rotationIntervalMs = o.rotation === undefined ? undefined : o.rotation === 'never' ? null : parseDuration(o.rotation, '--rotation');
        const info = await security.keyring.createKey(name, rotationIntervalMs === undefined ? {} : { rotationIntervalMs });
        output(o, info, () => describe(info));
      }, { store: 'create' }),
    );

  withCommonOptions(keys.command('rotate'))
    .description('add a new primary version (older versions keep decrypting); --due rotates every key past its interval')
    .argument('[name]')
    .option('--due', 'rotate every key whose primary is older than its rotation interval')
    .action((name: string | undefined, o) =>
      withSecurity(run, o, async (security) => {
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
      withSecurity(run, o, async (security) => {
        const list = await security.keyring.list(o.all ? {} : { purpose: 'data' });
        output(o, list, () => (list.length === 0 ? 'no keys yet (langtrain keys create NAME)' : list.map(describe).join('\n\n')));
      }),
    );

  withCommonOptions(keys.command('min-version'))
    .description("refuse decryption below a version (Vault's min_decryption_version)")
    .argument('<name>')
    .argument('<version>')
    .action((name: string, version: string, o) =>
      withSecurity(run, o, async (security) => {
        const info = await security.keyring.setMinDecryptionVersion(name, wholeNumberOption(version, 'version', 1));
        output(o, info, () => describe(info));
      }),
    );

  withCommonOptions(keys.command('destroy-version'))
    .description('destroy a version for good: everything it encrypted becomes unreadable')
    .argument('<name>')
    .argument('<version>')
    .action((name: string, version: string, o) =>
      withSecurity(run, o, async (security) => {
        const info = await security.keyring.destroyVersion(name, wholeNumberOption(version, 'version', 1));
        output(o, info, () => describe(info));
      }),
    );

  withCommonOptions(keys.command('rewrap'))
    .description(
      're-encrypt data sets made by `langtrain encrypt` under the primary key version (same options as encrypt), record by record in memory. ' +
        'With several files each is replaced atomically and files already on the primary are skipped, so an interrupted run resumes where it stopped',
    )
    .argument('<files...>', 'data sets to rewrap (in place, unless --output is given for a single file)')
    .option('--output <file>', 'write the rewrapped data set here instead of replacing the input (one input only)')
    .option('--fields <paths>')
    .option('--scope <scope>', 'field | record', 'field')
    .requiredOption('--dataset <name>', 'the data set name it was encrypted with')
    .option('--record-id-field <field>')
    .option('--subject-field <field>')
    .option('--key <name>')
    .option('--quiet', 'no progress')
    .action((files: string[], o) =>
      withSecurity(run, o, async (security) => {
        if (o.output && files.length > 1) throw invalidInput('--output takes one input file; without it each file is rewrapped in place');
        const options = {
          encryptionScope: o.scope,
          ...(o.fields ? { fields: String(o.fields).split(',') } : {}),
          ...(o.recordIdField ? { recordIdField: o.recordIdField } : {}),
          ...(o.subjectField ? { subjectField: o.subjectField, secureDeletion: true } : {}),
          ...(o.key ? { key: o.key } : {}),
        };
        const service = new EncryptionService(options, security.keyring, security.audit);
        const report: Array<{ file: string; records: number; skipped: boolean }> = [];
        for (const file of files) {
          if (!o.output && (await onPrimaryVersions(security.keyring, file))) {
            report.push({ file, records: 0, skipped: true });
            continue;
          }
          const progress = startProgress(`rewrapping ${file}`, undefined, o.quiet || o.json);
          const result = await transformDataset(service, { input: file, output: o.output ?? file, direction: 'rewrap', dataset: o.dataset, onProgress: (n) => progress.update(n) });
          progress.finish();
          // the name bound into the ciphertexts, chosen when they were made: masked in the log that cannot be erased, not refused, which would lock the data away
          const { maskedLabel } = await import('../../privacy/pii/dataset-label.js');
          await security.audit.record({ eventType: 'keys.rewrapped', result: 'success', additionalData: { key: service.options.key, dataset: maskedLabel(o.dataset), records: result.records } });
          report.push({ file, records: result.records, skipped: false });
        }
        output(o, report, () => report.map((r) => (r.skipped ? `${r.file}: already on the primary version` : `${r.file}: rewrapped ${r.records} records`)).join('\n'));
      }),
    );

  withCommonOptions(keys.command('erase-subject'))
    .description("destroy one data subject's key: their encrypted fields become unreadable forever (audited)")
    .argument('<subjectId>')
    .option('--key <name>', 'the data key the subject keys belong to (default: datasets)')
    .action((subjectId: string, o) =>
      withSecurity(run, o, async (security) => {
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
