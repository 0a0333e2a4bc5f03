import { Command } from 'commander';
import { transformDataset } from '../../crypto/dataset-encryption.js';
import { EncryptionService, type EncryptionServiceOptions } from '../../crypto/encryption-service.js';
import { invalidInput, isLangtrainError, LangtrainError } from '../../core/errors.js';
import type { LineageParameters } from '../../privacy/lineage/lineage-store.js';
import { cliActor, output, withCommonOptions, withSecurity, type Run } from '../context.js';
import { checkLineageStep, describeLineage, lineageJson, recordLineageStep } from '../lineage-step.js';
import { startProgress } from '../progress.js';

/** `langtrain encrypt` and `langtrain decrypt`: data sets (JSONL, CSV) by field or record, and whole files. */
export function encryptCommands(run: Run): Command[] {
  return (['encrypt', 'decrypt'] as const).map((direction) =>
    withCommonOptions(new Command(direction))
      .description(
        direction === 'encrypt'
          ? 'encrypt a data set (fields or whole records) or a file, streaming; output appears only when complete'
          : 'decrypt what `langtrain encrypt` made (same options); output appears only when complete',
      )
      .requiredOption('--input <file>', 'data set (.jsonl or .csv) or file')
      .requiredOption('--output <file>', 'where to write (via a temporary file renamed on success)')
      .option('--scope <scope>', 'field | record | file', 'field')
      .option('--fields <paths>', 'comma-separated field paths for scope field, e.g. user.email,items[].ssn')
      .option('--fpe <path:format...>', 'format-preserving fields (FF1), e.g. card:digits iban:alphanumeric')
      .option('--dataset <name>', 'data set name bound into every value; give the same one to decrypt (required for data sets)')
      .option('--format <format>', 'jsonl | csv (default: from the file extension)')
      .option('--record-id-field <field>', 'field holding the record id (default: the record position)')
      .option('--subject-field <field>', 'field naming the data subject: one key per subject, erasable with `langtrain keys erase-subject`')
      .option('--key <name>', 'keyring key (default: datasets)')
      .option('--name <text>', 'scope file: the name bound to the file (give the same to decrypt)', '')
      .option('--no-lineage', 'do not record the step in lineage (recorded by default: input digest -> output digest, scope, fields, key name)')
      .option('--quiet', 'no progress')
      .action((o) =>
        withSecurity(run, o, async (security) => {
          const service = new EncryptionService(serviceOptions(o), security.keyring, security.audit);
          const recordStep = async () =>
            o.lineage ? recordLineageStep(security, { operation: direction, actor: cliActor(), files: [{ input: o.input, output: o.output, parameters: stepParameters(service, o) }] }) : [];
          if (o.lineage) await checkLineageStep(stepParameters(service, o), { ...o, lineageOptional: true });
          if (o.scope === 'file') {
            await (direction === 'encrypt' ? service.encryptFile(o.input, o.output, o.name) : service.decryptFile(o.input, o.output, o.name).catch((err: unknown) => {
              throw withNameHint(err, o.name);
            }));
            const edges = await recordStep();
            output(o, { output: o.output, ...(o.lineage ? { lineage: lineageJson(edges)[0] } : {}) }, () => [`${direction}ed ${o.input} -> ${o.output}`, ...(o.lineage ? [describeLineage(edges)] : [])].join('\n'));
            return;
          }
          const progress = startProgress(`${direction}ing`, undefined, o.quiet || o.json);
          const result = await transformDataset(service, {
            input: o.input,
            output: o.output,
            direction,
            dataset: o.dataset,
            format: o.format,
            onProgress: (records) => progress.update(records),
          });
          progress.finish();
          const edges = await recordStep();
          output(o, { ...result, ...(o.lineage ? { lineage: lineageJson(edges)[0] } : {}) }, () =>
            [`${direction}ed ${result.records} records (${(result.bytes / 1e6).toFixed(1)} MB) -> ${o.output}`, ...(o.lineage ? [describeLineage(edges)] : [])].join('\n'),
          );
          // encrypting may start the store (its first key); decrypting needs the keys it holds
        }, { store: direction === 'encrypt' ? 'create' : 'existing' }),
      ),
  );
}

/**
 * A file that does not open under `--name` fails as a tampered one does (the name is bound
 * into it); say which to check first. The error code stays the library's.
 */
export function withNameHint(err: unknown, name: string): unknown {
  if (!isLangtrainError(err, 'ERR_CRYPTO_DECRYPT_FAILED')) return err;
  const given = name === '' ? 'no --name was given here' : `--name ${JSON.stringify(name)} was given here`;
  return new LangtrainError(
    err.code,
    `${err.message}. If the file was not changed, check --name: it must be the name given to encrypt it (${given})`,
    { ...err.details },
    { cause: err },
  );
}

/** What the lineage edge says of a (de)cryption: how and under which key's name, never key material. */
function stepParameters(service: EncryptionService, o: Record<string, any>): LineageParameters {
  const { encryptionScope, key, fields, subjectField, recordIdField } = service.options;
  return {
    scope: encryptionScope,
    keyName: key,
    ...(fields.length > 0 ? { fields: fields.map((f) => (typeof f === 'string' ? f : `${f.path}:${f.format}`)) } : {}),
    ...(subjectField !== undefined ? { subjectField } : {}),
    ...(recordIdField !== undefined ? { recordIdField } : {}),
    ...(o.dataset ? { dataset: o.dataset as string } : {}),
  };
}

function serviceOptions(o: Record<string, any>): EncryptionServiceOptions {
  const fpe = ((o.fpe as string[] | undefined) ?? []).map((spec) => {
    const [path, format] = spec.split(':');
    if (!path || (format !== 'digits' && format !== 'alphanumeric')) throw invalidInput(`--fpe ${spec}: write PATH:digits or PATH:alphanumeric`);
    return { path, format } as const;
  });
  const fields = [...(o.fields ? String(o.fields).split(',').map((f) => f.trim()).filter(Boolean) : []), ...fpe];
  return {
    encryptionScope: o.scope,
    ...(fields.length > 0 ? { fields } : {}),
    ...(fpe.length > 0 ? { formatPreserving: true } : {}),
    ...(o.recordIdField ? { recordIdField: o.recordIdField } : {}),
    ...(o.subjectField ? { subjectField: o.subjectField, secureDeletion: true } : {}),
    ...(o.key ? { key: o.key } : {}),
  };
}
