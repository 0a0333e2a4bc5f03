import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { AuditSink } from '../../core/audit-sink.js';
import { invalidInput, LangtrainError } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import type { DatasetFormat } from '../../crypto/dataset-encryption.js';
import { labelOfPath, refusePersonalLabel } from './dataset-label.js';
import { BatchWorkers } from './dataset-pipeline.js';
import { redactDataset, redactRecords, type RedactDatasetReport, type RedactedRecords } from './dataset-redaction.js';
import { redactShards, type RedactShardsReport } from './dataset-shards.js';
import { scannerFor, type EntityScanner, type ExplainedCandidate, type ScanSettings } from './entity-scanner.js';
import { ALLOW_LIST_MATCHES } from './scan-lists.js';
import { DEFAULT_CONFIDENCE_THRESHOLD, preserveFormatProblem, REDACTION_METHODS } from './pii-options.js';
import { ENTITY_TYPES, type EntityType, type Finding } from './entity-types.js';
import { checkHashKey } from './redaction/operators.js';
import { syntheticOperator } from './redaction/synthetic-values.js';
import { buildRecordRedactor, encryptTypesProblem, type RedactionSpec, type RedactorSpec } from './redactor.js';

/** As syntheticOperator requires: 128 bits, or the fakes of small domains could be tabulated. */
const MIN_SYNTHETIC_SEED_BYTES = 16;

const optionsSchema = z
  .object({
    /** Which entity types to look for; default all eleven. */
    detectionTypes: z
      .array(z.enum(ENTITY_TYPES, { message: `supported: ${ENTITY_TYPES.join(', ')}` }))
      .min(1, 'name at least one type')
      .optional(),
    /** Findings scoring below this (after context words) are dropped. The seed's example is 0.95. */
    confidenceThreshold: z.number().min(0).max(1).default(DEFAULT_CONFIDENCE_THRESHOLD),
    redactionMethod: z.enum(REDACTION_METHODS, { message: `supported: ${REDACTION_METHODS.join(', ')}` }).default('masking'),
    /** Found values never reported (scan-lists.ts): the company's support address, a documented test card. */
    allowList: z.array(z.string()).optional(),
    /** `exact` (default) or `regex`: each allowList entry a regular expression the whole value must match. */
    allowListMatch: z.enum(ALLOW_LIST_MATCHES, { message: `supported: ${ALLOW_LIST_MATCHES.join(', ')}` }).optional(),
    /** Per type, values always reported as it (staff names, internal ids): whole words, any case. Personal data: kept out of `settings`. */
    denyList: z.partialRecord(z.enum(ENTITY_TYPES, { message: `supported: ${ENTITY_TYPES.join(', ')}` }), z.array(z.string())).optional(),
    /**
     * `synthetic` only: the secret the fakes are drawn from, for the same fakes across detectors
     * and processes (a data set redacted in two runs). Default: random, drawn once per detector.
     * Whoever holds it can tabulate the fakes of small-domain values (every SSN): keep it as a key.
     */
    syntheticSeed: z
      .custom<Uint8Array>((v) => v instanceof Uint8Array && v.length >= MIN_SYNTHETIC_SEED_BYTES, {
        message: `must be a Uint8Array of at least ${MIN_SYNTHETIC_SEED_BYTES} random bytes`,
      })
      .optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const problem = o.redactionMethod === 'encrypt' ? encryptTypesProblem(o.detectionTypes) : undefined;
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['detectionTypes'] });
  })
  .refine((o) => o.syntheticSeed === undefined || o.redactionMethod === 'synthetic', {
    message: 'applies to redactionMethod synthetic only',
    path: ['syntheticSeed'],
  });

export type PIIDetectorOptions = z.input<typeof optionsSchema>;
/**
 * The parsed options, as `settings` shows them: without `syntheticSeed`, a secret the detector
 * keeps to itself, nor `denyList`, personal data (settings get logged and shown).
 */
export type PIIDetectorSettings = Omit<z.output<typeof optionsSchema>, 'syntheticSeed' | 'denyList'>;

export interface PIIDetectorDeps {
  /** Where `auditRedactions` records go. */
  audit?: AuditSink;
  /** For `hash` and `encrypt`: the deployment's keys (piiRedactionKeys); `hashKey` of at least 32 bytes, as that derives. */
  keys?: { hashKey: Uint8Array; encryptionKey: Uint8Array };
}

const datasetFormat = z.enum(['jsonl', 'csv'], { message: 'supported: jsonl, csv' });

/** A data set on disk: JSON Lines or CSV in, the same format out. */
const datasetFilesSchema = z.strictObject({
  input: z.string().min(1),
  output: z.string().min(1),
  /** Default: from the input's extension. */
  format: datasetFormat.optional(),
});
export type DatasetFiles = z.input<typeof datasetFilesSchema>;

/**
 * A data set in shards: every .jsonl, .ndjson and .csv file of `inputDir`, redacted into the new
 * (or empty) directory `outputDir` as one data set (redactShards): one synthetic seed, so a value
 * gets the same fake in every file, and the directory appears only when every file succeeded.
 */
const datasetShardsSchema = z.strictObject({
  inputDir: z.string().min(1),
  outputDir: z.string().min(1),
});
export type DatasetShards = z.input<typeof datasetShardsSchema>;

type ProgressListener = (progress: { records: number; bytes: number; totalBytes: number }) => void;

const processDatasetSchema = z.strictObject({
  /** JSONL field paths or CSV columns; default every string field / column. */
  fields: z.array(z.string().min(1)).min(1, 'name at least one field, or leave fields out to redact every string field').optional(),
  /**
   * The seed's `preserve_format`, default true as in the seed. Masking keeps length, separators
   * and the last four digits; synthetic fakes and FF1 ciphertexts keep the format whatever it
   * says, so false is refused for them, and true for removal and hash, which cannot keep it.
   */
  preserveFormat: z.boolean().optional(),
  /** The seed's `audit_redactions`: every redaction recorded (never its value). Default true. */
  auditRedactions: z.boolean().optional(),
  /**
   * The data set's label in the audit records, which cannot be changed or erased: one holding
   * personal data is refused (ERR_INVALID_INPUT, dataset-label.ts). Default: the input file's
   * or directory's name, personal data in it masked (labelOfPath); `records` for a list.
   */
  dataset: z.string().min(1).optional(),
  /** Who runs it, for the audit records. */
  userId: z.string().min(1).optional(),
  /** Files only: worker threads, default one per core; 0 redacts on this thread. The detector keeps them for its next data set (see `close`). */
  workers: z.number().int().min(0).optional(),
  /** Files only. */
  onProgress: z.custom<ProgressListener>((v) => typeof v === 'function', { message: 'must be a function' }).optional(),
});
export type ProcessDatasetOptions = z.input<typeof processDatasetSchema>;

/** @internal Files only: a failed job's temporary file is zeroed before removal (prepareDataset's `secureDeletion`). */
export interface ProcessDatasetInternals {
  scrub?: boolean;
}

const redactSchema = z.strictObject({
  /** Masking only, as for processDataset; default false. */
  preserveFormat: z.boolean().optional(),
});
export type RedactOptions = z.input<typeof redactSchema>;

/**
 * The seed's `PIIDetector(detection_types, confidence_threshold, redaction_method)` with
 * `process_dataset(raw_dataset, preserve_format, audit_redactions)`; detection itself is
 * EntityScanner's, redaction the operators'.
 */
export class PIIDetector {
  readonly settings: Readonly<PIIDetectorSettings>;
  readonly #scanner: EntityScanner;
  readonly #deps: PIIDetectorDeps;
  /** Worker threads kept between data sets, by thread count. */
  readonly #pools = new Map<number, BatchWorkers>();
  /** `synthetic` only: the caller's `syntheticSeed` (copied) or one drawn here, for every `redact` call. */
  readonly #seed: Uint8Array | undefined;
  /** Whether `#seed` is the caller's, so data sets use it too. */
  readonly #explicitSeed: boolean;
  readonly #denyList: ScanSettings['denyList'];

  constructor(options: PIIDetectorOptions = {}, deps: PIIDetectorDeps = {}) {
    const { syntheticSeed, denyList, ...settings } = parseOptions(optionsSchema, options, 'PIIDetector');
    this.settings = Object.freeze(settings);
    this.#denyList = denyList;
    this.#scanner = scannerFor(this.#scanSettings());
    // Checked at the door: a short hash key would make every pseudonym recomputable from a guess.
    if (deps.keys) checkHashKey(deps.keys.hashKey, 'deps.keys.hashKey');
    this.#deps = deps;
    this.#explicitSeed = syntheticSeed !== undefined;
    // A copy: the caller's array may be reused or zeroed afterwards.
    this.#seed = settings.redactionMethod !== 'synthetic' ? undefined : syntheticSeed ? Uint8Array.from(syntheticSeed) : randomBytes(32);
  }

  get types(): readonly EntityType[] {
    return this.#scanner.types;
  }

  /**
   * Why `detect` finds what it finds in `text`: every candidate the recognizers and deny lists
   * proposed, with its base score, the context words before it, its final score and what
   * became of it (EntityScanner.explain). For tuning `confidenceThreshold`, the lists and
   * context words on a text that gives a false positive or misses a value.
   */
  explain(text: string): ExplainedCandidate[] {
    if (typeof text !== 'string') throw invalidInput('PIIDetector.explain takes a string');
    return this.#scanner.explain(text);
  }

  /** The findings in `text`, sorted by start, none overlapping. */
  detect(text: string): Finding[] {
    if (typeof text !== 'string') throw invalidInput('PIIDetector.detect takes a string');
    return this.#scanner.scan(text);
  }

  /**
   * `text` with its findings redacted by `redactionMethod`, and the findings. `synthetic` fakes
   * come from the detector's seed, so every call on one detector gives a value the same fake.
   */
  redact(text: string, options: RedactOptions = {}): { text: string; findings: Finding[] } {
    const { preserveFormat } = parseOptions(redactSchema, options, 'PIIDetector.redact');
    const redactor = buildRecordRedactor(this.#spec(this.#preserveFormat(preserveFormat, false, 'PIIDetector.redact'), this.#seed), syntheticOperator);
    const findings = this.detect(text);
    return { text: findings.length === 0 ? text : redactor.redact(text, findings), findings };
  }

  /**
   * The seed's `process_dataset(raw_dataset, preserve_format, audit_redactions)`. Files (JSONL or
   * CSV, any size) are streamed and redacted on every core (redactDataset), a directory of them
   * as one data set in shards (redactShards); a list of records is redacted here and a redacted
   * copy returned, the input left as it was. `synthetic` fakes are consistent within the data set:
   * under the detector's `syntheticSeed` if it was given (another run, the same fakes), else
   * under a seed drawn for this data set alone.
   */
  processDataset(dataset: DatasetFiles, options?: ProcessDatasetOptions, internals?: ProcessDatasetInternals): Promise<RedactDatasetReport>;
  processDataset(dataset: DatasetShards, options?: ProcessDatasetOptions): Promise<RedactShardsReport>;
  processDataset(dataset: readonly Record<string, unknown>[], options?: ProcessDatasetOptions): Promise<RedactedRecords>;
  async processDataset(dataset: DatasetFiles | DatasetShards | readonly Record<string, unknown>[], given: ProcessDatasetOptions = {}, internals: ProcessDatasetInternals = {}): Promise<RedactDatasetReport | RedactShardsReport | RedactedRecords> {
    const options = parseOptions(processDatasetSchema, given, 'PIIDetector.processDataset');
    if (options.dataset !== undefined) refusePersonalLabel(options.dataset, 'PIIDetector.processDataset: dataset');
    const auditRedactions = options.auditRedactions ?? true;
    if (auditRedactions && !this.#deps.audit) throw new LangtrainError('ERR_CONFIG_INVALID', 'auditRedactions needs an audit sink: build the PIIDetector with deps.audit (SecurityManager does), or pass auditRedactions: false');
    const preserveFormat = this.#preserveFormat(options.preserveFormat, true, 'PIIDetector.processDataset');
    const spec = this.#spec(preserveFormat, this.#explicitSeed ? this.#seed : randomBytes(32));
    const audit = (unnamed: () => string) => (auditRedactions ? { audit: { sink: this.#deps.audit!, dataset: options.dataset ?? unnamed(), userId: options.userId ?? null } } : {});
    const fields = options.fields ? { fields: options.fields } : {};
    const onProgress = options.onProgress ? { onProgress: options.onProgress } : {};
    if (Array.isArray(dataset)) return redactRecords(dataset, { spec, ...fields, ...audit(() => 'records') });
    if (typeof dataset !== 'object' || dataset === null) throw invalidInput('PIIDetector.processDataset takes files ({input, output, format?}), a directory of shards ({inputDir, outputDir}) or an array of records');
    if ('inputDir' in dataset) {
      const shards = parseOptions(datasetShardsSchema, dataset, 'PIIDetector.processDataset: the data set');
      return redactShards({ ...shards, ...fields, spec, workers: this.#workers(options.workers ?? availableParallelism()), ...onProgress, ...audit(() => labelOfPath(shards.inputDir)) });
    }
    const files = parseOptions(datasetFilesSchema, dataset, 'PIIDetector.processDataset: the data set', ['inputDir', 'outputDir']);
    return redactDataset({ ...files, ...fields, spec, workers: this.#workers(options.workers ?? availableParallelism()), ...onProgress, ...audit(() => labelOfPath(files.input)), ...(internals.scrub ? { scrub: true } : {}) });
  }

  /**
   * The preserveFormat a call gets: as given, else `fallback`. Only masking has a choice:
   * synthetic fakes and FF1 ciphertexts always keep the format, removal and hash never can, so
   * a value saying otherwise would be ignored, and is refused.
   */
  #preserveFormat(given: boolean | undefined, fallback: boolean, owner: string): boolean {
    const method = this.settings.redactionMethod;
    const problem = preserveFormatProblem(method, given);
    if (problem !== undefined) throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', `${owner}: ${problem}`, { option: 'preserveFormat', redactionMethod: method });
    return given ?? fallback;
  }

  /**
   * Ends the worker threads kept for data sets; a data set still being processed fails with
   * ERR_CLOSED and writes nothing. Data sets processed afterwards start new threads. Threads
   * also end after 30 s without a batch, and idle ones do not keep the process alive, so a
   * script need not call it.
   */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  /**
   * The detector's pool of `threads` worker threads, started by its first data set and kept for
   * the next: a data set in shards, each file processed in turn, pays the threads' start-up and
   * compilation once (BatchWorkers).
   */
  #workers(threads: number): BatchWorkers | 0 {
    if (threads === 0) return 0;
    let pool = this.#pools.get(threads);
    if (pool === undefined) {
      pool = new BatchWorkers(threads);
      this.#pools.set(threads, pool);
    }
    return pool;
  }

  #scanSettings(): ScanSettings {
    const { detectionTypes, confidenceThreshold, allowList, allowListMatch } = this.settings;
    return {
      ...(detectionTypes ? { types: detectionTypes } : {}),
      threshold: confidenceThreshold,
      ...(allowList ? { allowList } : {}),
      ...(allowListMatch ? { allowListMatch } : {}),
      ...(this.#denyList ? { denyList: this.#denyList } : {}),
    };
  }

  /** `seed`: the synthetic seed, used only by `synthetic`. */
  #spec(preserveFormat: boolean, seed: Uint8Array | undefined): RedactorSpec {
    const method = this.settings.redactionMethod;
    const key = (which: 'hashKey' | 'encryptionKey') => {
      const keys = this.#deps.keys;
      if (!keys) throw new LangtrainError('ERR_CONFIG_INVALID', `redactionMethod ${method} needs keys: build the PIIDetector with deps.keys (piiRedactionKeys(keyring))`);
      return keys[which];
    };
    const redaction: RedactionSpec =
      method === 'masking' ? { method, preserveFormat }
      : method === 'synthetic' ? { method, seed: seed! }
      : method === 'removal' ? { method }
      : method === 'hash' ? { method, key: key('hashKey') }
      : { method, key: key('encryptionKey') };
    return { scan: this.#scanSettings(), redaction };
  }
}
