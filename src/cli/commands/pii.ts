import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { Keyring } from '../../crypto/keyring/keyring.js';
import { fileProblem, invalidInput, isLangtrainError } from '../../core/errors.js';
import { ENTITY_TYPES, isEntityType, type EntityType } from '../../privacy/pii/entity-types.js';
import type { BatchTask } from '../../privacy/pii/dataset-batch.js';
import type { RedactDatasetReport } from '../../privacy/pii/dataset-redaction.js';
import type { RedactShardsReport, ScanShardsReport } from '../../privacy/pii/dataset-shards.js';
import type { ExplainedCandidate, ScanSettings } from '../../privacy/pii/entity-scanner.js';
import { ALLOW_LIST_MATCHES, type AllowListMatch, type ScanLists } from '../../privacy/pii/scan-lists.js';
import { DEFAULT_CONFIDENCE_THRESHOLD, preserveFormatProblem, REDACTION_METHODS, type RedactionMethod } from '../../privacy/pii/pii-options.js';
import { PII_KEY_NAME, piiRedactionKeys, syntheticSeedFor } from '../../privacy/pii/pii-keys.js';
import type { RedactionSpec } from '../../privacy/pii/redactor.js';
import type { LineageParameters } from '../../privacy/lineage/lineage-store.js';
import { cliActor, openSecurity, output, withCommonOptions, type Run } from '../context.js';
import { checkLineageStep, describeLineage, lineageJson, recordLineageStep } from '../lineage-step.js';
import { realNumberOption, wholeNumberOption, WORKERS_PER_CORE, workersOption } from '../number-options.js';
import { refuseOutputIsInput } from '../output-is-input.js';
import { startProgress } from '../progress.js';

/** `langtrain pii scan | redact | explain`: find and redact personal data in data sets, and say why. Only `redact` uses the store (audit, lineage, keys): the others take no --db or --config, which they would ignore. */
export function piiCommand(run: Run): Command {
  const pii = new Command('pii').description('find and redact personal data (email, phone, ssn, credit_card, ip_address, person_name, address, iban, date_of_birth, passport, api_key)');

  pii.addCommand(
    detectionOptions(new Command('scan'))
      .description('write, for each JSONL line, {"spans":[{start,end,type,score}]} found in one field')
      .requiredOption('--input <path>', 'JSON Lines data set, or a directory of them (shards: scanned on one set of worker threads)')
      .option('--field <name>', 'the string field to scan', 'text')
      .requiredOption('--output <path>', 'where the spans go (one line per input line; written only when complete); for a directory of shards, a new or empty directory')
      .option('--workers <n>', WORKERS_HELP, (v) => workersOption(v))
      .option('--quiet', 'no progress')
      .option('--json', 'print machine-readable JSON')
      .action((o) =>
        run(async () => {
          await refuseOutputIsInput(o.input, o.output, 'the spans would replace the data set; write them to another file');
          const progress = startProgress('scanning (MB)', undefined, o.quiet || o.json, megabytes);
          const job = {
            field: o.field as string,
            scan: scanSettings(o),
            ...(o.workers !== undefined ? { workers: o.workers as number } : {}),
            onProgress: ({ bytes, totalBytes }: { bytes: number; totalBytes: number }) => progress.update(bytes, totalBytes),
          };
          // loaded here: see pii-options.ts
          const result = (await isDirectory(o.input))
            ? await (await import('../../privacy/pii/dataset-shards.js')).scanShards({ ...job, inputDir: o.input, outputDir: o.output })
            : await (await import('../../privacy/pii/dataset-scan.js')).scanDataset({ ...job, input: o.input, output: o.output });
          progress.finish();
          const files = 'files' in result ? ` in ${(result as ScanShardsReport).files.length} files` : '';
          output(o, { ...result, output: o.output }, () => `${result.records} records scanned${files}, ${result.spans} spans -> ${o.output}${skippedNote(result)}`);
        }, o.json),
      ),
  );

  pii.addCommand(
    detectionOptions(withCommonOptions(new Command('redact')))
      .description('redact a JSONL or CSV data set on every core; the output appears only when every record succeeded')
      .requiredOption('--input <path>', 'data set (.jsonl or .csv), or a directory of them: a data set in shards, redacted on one set of worker threads')
      .requiredOption('--output <path>', 'where the redacted data set goes (for a directory of shards: a new or empty directory, written only when every file succeeded)')
      .addOption(new Option('--method <method>', 'how to redact').choices([...REDACTION_METHODS]).default('masking'))
      .option('--field <paths...>', 'JSONL field paths or CSV columns to redact (default: every string field / column)')
      .option('--format <format>', 'jsonl | csv (default: from the file extension)')
      .option('--preserve-format', 'masking: keep length, separators and the last four digits of cards, phones and IBANs (a password or key keeps only its length)')
      .option('--no-audit', 'do not record the redactions in the audit log (recorded by default: line, field, type, offsets, recognizer, score; never values)')
      .option('--no-lineage', 'do not record the step in lineage (recorded by default: input digest -> output digest, method, fields, types, threshold)')
      .option('--dataset <name>', 'the data set label in audit records, refused if it holds personal data: the audit log cannot be changed or erased (default: the input file\'s or directory\'s name, personal data in it masked); with --method synthetic, runs naming the same data set get the same fakes')
      .option('--workers <n>', WORKERS_HELP, (v) => workersOption(v))
      .option('--quiet', 'no progress')
      .action((o) =>
        run(async () => {
          // loaded here: see pii-options.ts
          const { labelOfPath, refusePersonalLabel } = await import('../../privacy/pii/dataset-label.js');
          // before any store or key is made; refused with --no-audit too, so that a label works the same in every run
          if (o.dataset !== undefined) refusePersonalLabel(o.dataset, '--dataset');
          const method = o.method as RedactionMethod;
          const namedFakes = method === 'synthetic' && o.dataset !== undefined;
          const formatProblem = preserveFormatProblem(method, o.preserveFormat === true ? true : undefined);
          if (formatProblem !== undefined) throw invalidInput(`--${formatProblem.replace('preserveFormat true', 'preserve-format')}`);
          const needsStore = o.audit || o.lineage || method === 'hash' || method === 'encrypt' || namedFakes;
          // a redaction records new state (audit events, a lineage edge, the pii key): it may start the store
          const security = needsStore ? await openSecurity(o, { store: 'create' }) : null;
          try {
            const piiKeyIsNew = (method === 'hash' || method === 'encrypt' || namedFakes) && !(await keyExists(security!.keyring, PII_KEY_NAME));
            const keys = method === 'hash' || method === 'encrypt' ? await piiRedactionKeys(security!.keyring) : null;
            const redaction: RedactionSpec =
              method === 'masking' ? { method, preserveFormat: Boolean(o.preserveFormat) }
              // a named data set's seed comes from the keyring (the same fakes in every run); otherwise one per run
              : method === 'synthetic' ? { method, seed: namedFakes ? await syntheticSeedFor(security!.keyring, o.dataset) : randomBytes(32) }
              : method === 'removal' ? { method }
              : method === 'hash' ? { method, key: keys!.hashKey }
              : { method, key: keys!.encryptionKey };
            if (piiKeyIsNew) process.stderr.write(newPiiKeyNote(method, security!.store.displayUrl));
            const shards = await isDirectory(o.input);
            if (shards && o.format) throw invalidInput('--format applies to one input file: the files of a directory are read by their extensions (.jsonl, .ndjson, .csv)');
            const scan = scanSettings(o); // the list files read once, for the job and its lineage
            if (o.lineage) await checkLineageStep(redactionParameters(method, o, scan, { records: 0, redactedRecords: 0 }), { ...o, lineageOptional: true });
            const progress = startProgress('redacting (MB)', undefined, o.quiet || o.json, megabytes);
            const job = {
              ...(o.field ? { fields: o.field as string[] } : {}),
              spec: { scan, redaction },
              ...(o.workers !== undefined ? { workers: o.workers as number } : {}),
              onProgress: ({ bytes, totalBytes }: { bytes: number; totalBytes: number }) => progress.update(bytes, totalBytes),
              ...(security && o.audit ? { audit: { sink: security.audit, dataset: o.dataset ?? labelOfPath(o.input), userId: cliActor() } } : {}),
            };
            // loaded here: see pii-options.ts
            let report: RedactDatasetReport | RedactShardsReport;
            let files: Array<{ input: string; output: string; report: RedactionCounts }>;
            if (shards) {
              const done = await (await import('../../privacy/pii/dataset-shards.js')).redactShards({ ...job, inputDir: o.input, outputDir: o.output });
              files = done.files.map((f) => ({ input: join(o.input, f.file), output: join(o.output, f.file), report: f }));
              report = done;
            } else {
              report = await (await import('../../privacy/pii/dataset-redaction.js')).redactDataset({ ...job, input: o.input, output: o.output, ...(o.format ? { format: o.format } : {}) });
              files = [{ input: o.input, output: o.output, report }];
            }
            progress.finish();
            const edges = o.lineage
              ? await recordLineageStep(security!, {
                  operation: 'redact',
                  actor: cliActor(),
                  files: files.map((f) => ({ input: f.input, output: f.output, parameters: redactionParameters(method, o, scan, f.report) })),
                })
              : [];
            output(o, { ...report, output: o.output, ...(o.lineage ? { lineage: lineageJson(edges) } : {}) }, () =>
              [describeReport(report, o.output), ...(o.lineage ? [describeLineage(edges)] : [])].join('\n'),
            );
          } finally {
            await security?.close();
          }
        }, o.json),
      ),
  );
  pii.addCommand(
    detectionOptions(new Command('explain'))
      .description('why scan and redact find what they find in one text: every candidate, its scores and context words, and what became of it')
      .argument('[text]', 'the text to explain (or name a line of a data set with --input and --line)')
      .option('--input <path>', 'a JSON Lines data set, with --line: explain the --field of that line')
      .option('--line <n>', 'with --input: the line, from 1', (v) => wholeNumberOption(v, '--line', 1))
      .option('--field <name>', 'with --input: the string field to explain (default: text)')
      .option('--json', 'print machine-readable JSON')
      .action((given: string | undefined, o) =>
        run(async () => {
          const text = await explainedText(given, o);
          const scan = scanSettings(o);
          // loaded here: see pii-options.ts
          const { scannerFor } = await import('../../privacy/pii/entity-scanner.js');
          const candidates = scannerFor(scan).explain(text);
          output(o, { threshold: scan.threshold, candidates }, () => describeExplanation(text, scan.threshold, candidates));
        }, o.json),
      ),
  );
  return pii;
}

/** The text `pii explain` reads: its argument, or the `--field` string of line `--line` of `--input`. */
async function explainedText(given: string | undefined, o: { input?: string; line?: number; field?: string }): Promise<string> {
  if (given !== undefined) {
    if (o.input !== undefined || o.line !== undefined || o.field !== undefined) throw invalidInput('give the text, or --input and --line (and --field), not both');
    return given;
  }
  if (o.input === undefined || o.line === undefined) throw invalidInput('give the text to explain, or a line of a data set: --input F.jsonl --line N [--field text]');
  const field = o.field ?? 'text';
  const line = await lineOf(o.input, o.line);
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    throw invalidInput(`line ${o.line} of ${o.input} is not JSON`);
  }
  const { scannedField, valueAt } = await import('../../privacy/pii/span-lines.js');
  const value = record !== null && typeof record === 'object' && !Array.isArray(record) ? valueAt(record as Record<string, unknown>, scannedField(field)) : undefined;
  if (typeof value !== 'string') throw invalidInput(`line ${o.line} of ${o.input} has no string at ${field}; name its field with --field`);
  return value;
}

/**
 * Line `n` (from 1) of `path`, read only as far as it, and cut into lines by the reader of
 * `scan` and `redact` (at LF only, without the CR before it or a byte order mark before line 1),
 * so that line N is the line they name.
 */
async function lineOf(path: string, n: number): Promise<string> {
  if (await isDirectory(path)) throw invalidInput(`--input: ${path} is a directory; explain reads one line of one JSON Lines file: name a file in it`, { path });
  // loaded here: see pii-options.ts
  const { jsonLineTasks } = await import('../../privacy/pii/dataset-pipeline.js');
  const { isUtf8Line, jsonLinesOf, lineText } = await import('../../privacy/pii/jsonl-bytes.js');
  let lines = 0;
  try {
    for await (const task of jsonLineTasks(path, () => undefined)) {
      const { bytes, firstLine } = task as Extract<BatchTask, { kind: 'jsonl' }>;
      const batch = jsonLinesOf(bytes, firstLine);
      lines = firstLine + batch.lines.length - 1;
      if (n > lines) continue;
      // only line n's own bytes: one bad byte elsewhere in its batch is no reason to refuse it
      if (!isUtf8Line(batch, n - firstLine)) throw invalidInput(`--input: ${path}: line ${n}: is not valid UTF-8; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8) and explain again`, { path, line: n });
      return lineText(batch, n - firstLine);
    }
  } catch (err) {
    if (isLangtrainError(err)) throw err;
    throw invalidInput(`--input: cannot read ${path}: ${fileProblem(err)}`, { path });
  }
  throw invalidInput(`${path} has ${lines} line${lines === 1 ? '' : 's'}, no line ${n}`);
}

/** `pii explain` for a person: one line per candidate, its value shown (the text is the user's own, on their terminal). */
function describeExplanation(text: string, threshold: number, candidates: readonly ExplainedCandidate[]): string {
  const reported = candidates.filter((c) => c.outcome === 'reported').length;
  const head = `${candidates.length} candidate${candidates.length === 1 ? '' : 's'}, ${reported} reported at threshold ${threshold}`;
  const score = (n: number) => n.toFixed(2);
  return [
    head,
    ...candidates.map((c, i) => {
      const value = text.slice(c.start, c.end);
      const words = [c.contextWord !== null ? `context word "${c.contextWord}"` : '', c.negativeContextWord !== null ? `negative word "${c.negativeContextWord}"` : '', c.cued ? 'its own cue' : ''].filter(Boolean);
      const outcome = c.outcome === 'overlapped' ? `overlapped by #${c.overlappedBy + 1}` : c.outcome.replace('_', ' ');
      return `#${i + 1} ${c.type} ${JSON.stringify(value.length > 60 ? `${value.slice(0, 59)}…` : value)} [${c.start}, ${c.end}) ${c.recognizer}: ${score(c.baseScore)} -> ${score(c.score)}${words.length > 0 ? ` (${words.join(', ')})` : ''}: ${outcome}`;
    }),
  ].join('\n');
}

function detectionOptions(command: Command): Command {
  return command
    .option('--types <types>', `comma-separated entity types (default all: ${ENTITY_TYPES.join(', ')})`)
    .option('--threshold <score>', 'drop findings scoring below this, a decimal from 0 to 1', (v) => realNumberOption(v, '--threshold', { from: 0, to: 1 }), DEFAULT_CONFIDENCE_THRESHOLD)
    .option('--allow-list <file>', 'values never reported, one a line (your support address, a documented test card)')
    .addOption(new Option('--allow-list-match <how>', 'exact: equal values; regex: each line a regular expression the whole value must match').choices([...ALLOW_LIST_MATCHES]))
    .option('--deny-list <type=file...>', 'values always reported as TYPE, one a line in FILE, as whole words in any case (staff names: person_name=staff.txt); once per type');
}

interface DetectionFlags {
  types?: string;
  threshold: number;
  allowList?: string;
  allowListMatch?: AllowListMatch;
  denyList?: string[];
}

function scanSettings(o: DetectionFlags): ScanSettings {
  return { ...(o.types !== undefined ? { types: typesOf(o.types) } : {}), threshold: o.threshold, ...listsOf(o) };
}

function typesOf(list: string): EntityType[] {
  const types = list.split(',').map((t) => t.trim());
  const unknown = types.filter((t) => !isEntityType(t));
  if (unknown.length > 0) throw invalidInput(`--types: unknown ${unknown.join(', ')} (supported: ${ENTITY_TYPES.join(', ')})`);
  return types as EntityType[];
}

/** The allow and deny lists the flags name, read from their files (blank lines skipped). */
function listsOf(o: DetectionFlags): ScanLists {
  if (o.allowListMatch !== undefined && o.allowList === undefined) throw invalidInput('--allow-list-match applies with --allow-list');
  const denyList: Partial<Record<EntityType, string[]>> = {};
  for (const spec of o.denyList ?? []) {
    const [type, file] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
    if (!spec.includes('=') || file === '') throw invalidInput(`--deny-list takes TYPE=FILE (e.g. person_name=staff.txt), got ${JSON.stringify(spec)}`);
    if (!isEntityType(type)) throw invalidInput(`--deny-list: unknown type ${type} (supported: ${ENTITY_TYPES.join(', ')})`);
    if (denyList[type]) throw invalidInput(`--deny-list names ${type} twice: put its values in one file`);
    denyList[type] = listFile(file, '--deny-list');
  }
  return {
    ...(o.allowList !== undefined ? { allowList: listFile(o.allowList, '--allow-list') } : {}),
    ...(o.allowListMatch !== undefined ? { allowListMatch: o.allowListMatch } : {}),
    ...(o.denyList ? { denyList } : {}),
  };
}

function listFile(path: string, option: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalidInput(`${option}: cannot read ${path}: ${fileProblem(err)}`, { path });
  }
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

const WORKERS_HELP = `worker threads, up to ${WORKERS_PER_CORE} per core (default: one per core; 0: run in this thread, no workers)`;

/** Progress counts bytes; shown as MB. */
function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Whether the keyring holds `name` yet. */
async function keyExists(keyring: Keyring, name: string): Promise<boolean> {
  try {
    await keyring.describe(name);
    return true;
  } catch (err) {
    if (isLangtrainError(err, 'ERR_NOT_FOUND')) return false;
    throw err;
  }
}

/**
 * Said when this run made the pii key: what it derives joins nothing made under another
 * store's key, which is what a run from the wrong directory or with the wrong --db gets.
 */
function newPiiKeyNote(method: RedactionMethod, store: string): string {
  const made = method === 'hash' ? 'pseudonyms' : method === 'encrypt' ? 'ciphertexts' : 'fakes';
  return `note: created a new ${PII_KEY_NAME} key in ${store}: its ${made} match none made under another store's key\n`;
}

type RedactionCounts = Pick<RedactDatasetReport, 'records' | 'redactedRecords'>;

/** What the lineage edge says of a redaction: how, never with what key or seed, nor the lists' values (only how many: a deny list is personal data). */
function redactionParameters(method: RedactionMethod, o: DetectionFlags & { field?: string[]; preserveFormat?: boolean }, { allowList, denyList }: ScanLists, report: RedactionCounts): LineageParameters {
  return {
    ...(allowList ? { allowListEntries: allowList.length } : {}),
    ...(denyList ? { denyListEntries: Object.fromEntries(Object.entries(denyList).map(([type, values]) => [type, values.length])) } : {}),
    method,
    ...(o.preserveFormat ? { preserveFormat: true } : {}),
    fields: o.field ?? 'all',
    types: o.types?.split(',').map((t) => t.trim()) ?? 'all',
    threshold: o.threshold,
    records: report.records,
    redactedRecords: report.redactedRecords,
  };
}

function describeReport(report: RedactDatasetReport | RedactShardsReport, out: string): string {
  const counts = Object.entries(report.counts).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`);
  const files = 'files' in report ? ` in ${report.files.length} files` : '';
  return `${report.records} records${files}, ${report.redactedRecords} redacted (${counts.join(', ') || 'nothing found'}) -> ${out}${skippedNote(report)}`;
}

function skippedNote(report: object): string {
  return 'skipped' in report && Array.isArray(report.skipped) && report.skipped.length > 0 ? `; other files left out: ${report.skipped.join(', ')}` : '';
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false, // redactDataset names what is wrong with a path that cannot be read
  );
}
