import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { syncDirectory } from '../../core/atomic-file.js';
import { holdTemporary } from '../../core/pending-temporaries.js';
import { fileProblem, invalidInput, isLangtrainError, LangtrainError } from '../../core/errors.js';
import { BatchWorkers } from './dataset-pipeline.js';
import { countedAudit, recordFailure, recordSummary, type DatasetAudit } from './dataset-audit.js';
import { maskedLabel } from './dataset-label.js';
import { redactDataset, refuseMissingFields, type RedactDatasetJob, type RedactDatasetReport } from './dataset-redaction.js';
import { refuseMissingField, scanDataset, type ScanDatasetJob, type ScanDatasetReport } from './dataset-scan.js';
import { ENTITY_TYPES, zeroCounts, type EntityType } from './entity-types.js';

/**
 * A data set in shards: every data file directly in a directory, each done in name order into
 * a new (or empty) output directory under the same name, all on one set of worker threads kept
 * across the files (BatchWorkers: each thread starts and compiles its code once, which on fresh
 * threads is half of a 50 MB file's time). One job: the output directory appears only when every
 * file succeeded.
 */
interface ShardsJob {
  inputDir: string;
  /** A new directory, or an empty one. */
  outputDir: string;
  /** Worker threads of the job's own (default one per core; 0 works on this thread), or a pool the caller keeps across jobs. */
  workers?: number | BatchWorkers;
  /** After each batch: the file being done, and records done and input bytes read over all files. */
  onProgress?: (progress: { file: string; records: number; bytes: number; totalBytes: number }) => void;
}

/** Redaction of `.jsonl`, `.ndjson` and `.csv` shards, with one synthetic seed: a value gets the same fake in every file. */
export type RedactShardsJob = ShardsJob & Omit<RedactDatasetJob, 'input' | 'output' | 'format' | 'workers' | 'onProgress'>;
/** `langtrain pii scan` of `.jsonl` and `.ndjson` shards: a spans file per shard. */
export type ScanShardsJob = ShardsJob & Omit<ScanDatasetJob, 'input' | 'output' | 'workers' | 'onProgress'>;

/** The totals, per file, and what was left out. */
export type ShardsReport<R extends { workers: number }> = R & {
  files: Array<{ file: string } & Omit<R, 'workers'>>;
  /** Entries of the input directory that are not shards (other extensions; directories, as `name/`), left out. */
  skipped: string[];
};
export type RedactShardsReport = ShardsReport<RedactDatasetReport>;
export type ScanShardsReport = ShardsReport<ScanDatasetReport>;

const DATA_FILES: ShardKind = { pattern: /\.(?:jsonl|ndjson|csv)$/i, names: '.jsonl, .ndjson or .csv' };
const JSON_LINES_FILES: ShardKind = { pattern: /\.(?:jsonl|ndjson)$/i, names: '.jsonl or .ndjson' };

export async function redactShards(job: RedactShardsJob): Promise<RedactShardsReport> {
  const { inputDir, outputDir, workers, onProgress, audit: given, ...settings } = job;
  // one count over every file: a failing file undoes the ones before it, whose redactions were recorded
  const audit = given && countedAudit(given);
  const done = await overShards<RedactDatasetReport>({ inputDir, outputDir, workers, kind: DATA_FILES, beforeRename: (results) => refuseMissingFields(summedFields(results), sumOf(results, 'records')) }, (shard, output, pool, before) =>
    redactDataset({
      ...settings,
      input: shard.path,
      output,
      workers: pool,
      shard: true, // fields checked, and summaries or the failure audited, over all the files
      ...(audit ? { audit: shardAudit(audit, shard.name) } : {}),
      onProgress: ({ records, bytes }) => onProgress?.({ file: shard.name, records: before.records + records, bytes: before.bytes + bytes, totalBytes: before.totalBytes }),
    }),
  ).catch(async (err: unknown) => {
    if (audit) await recordFailure(settings.spec, audit, err);
    throw err;
  });
  if (audit) for (const { file, result } of done.results) await recordSummary(settings.spec, shardAudit(audit, file), result);
  const report = totalled(done, { records: 0, redactedRecords: 0, counts: zeroCounts(), bytes: 0, workers: 0 });
  const fieldsFound = summedFields(done.results);
  return fieldsFound === undefined ? report : { ...report, fieldsFound };
}

export async function scanShards(job: ScanShardsJob): Promise<ScanShardsReport> {
  const { inputDir, outputDir, workers, onProgress, ...settings } = job;
  const done = await overShards<ScanDatasetReport>({ inputDir, outputDir, workers, kind: JSON_LINES_FILES, beforeRename: (results) => refuseMissingField(settings.field, sumOf(results, 'fieldFound'), sumOf(results, 'records')) }, (shard, output, pool, before) =>
    scanDataset({
      ...settings,
      input: shard.path,
      output,
      workers: pool,
      shard: true, // the field checked over all the files, below
      onProgress: ({ records, bytes }) => onProgress?.({ file: shard.name, records: before.records + records, bytes: before.bytes + bytes, totalBytes: before.totalBytes }),
    }),
  );
  return totalled(done, { records: 0, recordsWithSpans: 0, spans: 0, fieldFound: 0, counts: zeroCounts(), workers: 0 });
}

/**
 * A shard's audit settings: the data set named `${dataset}/${file}`, a name, not a local path
 * ("s3://bucket/exports" keeps its two slashes), with personal data masked (maskedLabel): the
 * caller chose the data set's label, not the names of the files in it. The file's name alone
 * first (`exports/<email>.csv`, the label kept whole), then with the label, in which it may read
 * as more (`crm-Jane` and `Doe.csv`).
 */
function shardAudit<A extends DatasetAudit>(audit: A, file: string): A {
  return { ...audit, dataset: maskedLabel(`${audit.dataset.replace(/[\\/]+$/, '')}/${maskedLabel(file)}`) };
}

/** `key` summed over the shards' reports. */
function sumOf<R>(results: ReadonlyArray<{ result: R }>, key: { [K in keyof R]: R[K] extends number ? K : never }[keyof R]): number {
  return results.reduce((sum, { result }) => sum + (result[key] as number), 0);
}

/** Per chosen path, the records with a value there over every JSON Lines shard; undefined when none had chosen paths. */
function summedFields(results: ReadonlyArray<{ result: RedactDatasetReport }>): Record<string, number> | undefined {
  let total: Record<string, number> | undefined;
  for (const { result } of results) {
    if (result.fieldsFound === undefined) continue;
    total ??= {};
    for (const [path, n] of Object.entries(result.fieldsFound)) total[path] = (total[path] ?? 0) + n;
  }
  return total;
}

/** The shards' reports summed into `zero` (every number, and the counts per type), with each file's own. */
function totalled<R extends { workers: number; counts: Record<EntityType, number> }>(done: { results: Array<{ file: string; result: R }>; skipped: string[] }, zero: R): ShardsReport<R> {
  const report: ShardsReport<R> = { ...zero, files: [], skipped: done.skipped };
  const sums = report as unknown as Record<string, number>;
  for (const { file, result } of done.results) {
    const { workers, ...counted } = result;
    report.workers = workers;
    report.files.push({ file, ...counted });
    for (const [key, value] of Object.entries(counted)) if (typeof value === 'number') sums[key]! += value;
    for (const type of ENTITY_TYPES) report.counts[type] += result.counts[type];
  }
  return report;
}

interface ShardKind {
  pattern: RegExp;
  names: string;
}

interface Shard {
  name: string;
  path: string;
  bytes: number;
}

/** What the shards before this one came to, for progress over all of them. */
interface Before {
  records: number;
  bytes: number;
  totalBytes: number;
}

/**
 * Runs `each` on every shard of `inputDir`, in name order, with its output path in a temporary
 * directory beside `outputDir` that is renamed to it when every shard succeeded and
 * `beforeRename` (the checks over all of them) passed: no reader sees a directory with some
 * files missing. An error names the shard.
 */
async function overShards<R extends { records: number }>(
  where: { inputDir: string; outputDir: string; workers: number | BatchWorkers | undefined; kind: ShardKind; beforeRename: (results: Array<{ file: string; result: R }>) => void },
  each: (shard: Shard, output: string, pool: BatchWorkers | 0, before: Before) => Promise<R>,
): Promise<{ results: Array<{ file: string; result: R }>; skipped: string[] }> {
  // resolved: with a trailing slash, lstat follows a link the rename then refuses after all the work
  const outputDir = where.outputDir.trim() === '' ? '' : resolve(where.outputDir);
  const { shards, skipped } = await shardsIn(where.inputDir, where.kind);
  await refuseUsedOutput(outputDir);
  const totalBytes = shards.reduce((sum, s) => sum + s.bytes, 0);
  const temporary = join(dirname(outputDir), `.${basename(outputDir)}.${randomBytes(8).toString('hex')}.tmp`);
  await mkdir(temporary, { mode: 0o700 }).catch((err: unknown) => {
    throw invalidInput(`cannot write ${outputDir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `the directory ${dirname(outputDir)} does not exist` : fileProblem(err)}`, { path: outputDir });
  });
  const held = holdTemporary(temporary);
  const { workers } = where;
  const owned = typeof workers !== 'object'; // a pool the caller keeps outlives the job
  const pool: BatchWorkers | 0 = typeof workers === 'object' ? workers : workers === 0 ? 0 : new BatchWorkers(workers ?? availableParallelism());
  const results: Array<{ file: string; result: R }> = [];
  const before: Before = { records: 0, bytes: 0, totalBytes };
  try {
    for (const shard of shards) {
      const result = await each(shard, join(temporary, shard.name), pool, { ...before }).catch((err: unknown) => {
        throw isLangtrainError(err) ? new LangtrainError(err.code, `${shard.name}: ${err.message}`, { ...err.details, file: shard.name }, { cause: err }) : err;
      });
      results.push({ file: shard.name, result });
      before.records += result.records;
      before.bytes += shard.bytes;
    }
    where.beforeRename(results);
    // an empty directory of that name is replaced; anything else was refused above
    await rename(temporary, outputDir).catch((err: unknown) => {
      const why = (err as NodeJS.ErrnoException).code === 'ENOTEMPTY' ? 'it was filled while the shards were done' : fileProblem(err);
      throw invalidInput(`cannot move the output of the shards into ${outputDir}: ${why}; nothing was written there`, { path: outputDir });
    });
    held.keep();
  } catch (err) {
    await held.discard();
    throw err;
  } finally {
    if (pool !== 0 && owned) await pool.close();
  }
  await syncDirectory(dirname(outputDir));
  return { results, skipped };
}

/**
 * The shards of `dir` in name order, and its other files. An entry named as a shard that is no
 * readable file (a directory, a link to nothing) fails: a shard must not vanish from the output.
 */
async function shardsIn(dir: string, kind: ShardKind): Promise<{ shards: Shard[]; skipped: string[] }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw invalidInput(`cannot read the input directory ${dir}: ${fileProblem(err)}`, { path: dir });
  }
  const names = entries.map((e) => e.name).sort();
  // All checked at once, the first bad one in name order reported: with Promise.all the first
  // to fail would win, and which one that is varied from run to run.
  const checked = await Promise.allSettled(
    names.filter((name) => kind.pattern.test(name)).map(async (name) => {
      const path = join(dir, name);
      const info = await stat(path).catch((err: unknown) => {
        throw invalidInput(`cannot read the shard ${path}: ${fileProblem(err)}`, { path });
      });
      if (!info.isFile()) throw invalidInput(`the shard ${path} is not a file: move it out of ${dir}, or rename it`, { path });
      return { name, path, bytes: info.size };
    }),
  );
  const shards = checked.map((outcome) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  });
  if (shards.length === 0) throw invalidInput(`the input directory ${dir} holds no ${kind.names} file`, { path: dir });
  // directories too ("valid/"): shards are not looked for below the input, and one may hold a split
  const skipped = entries.filter((e) => !kind.pattern.test(e.name)).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  return { shards, skipped };
}

/** An output that may become the shards' directory: a new path, or an empty directory that is not a link. */
async function refuseUsedOutput(dir: string): Promise<void> {
  if (dir === '') throw invalidInput('name the output directory (--output)');
  let info;
  try {
    info = await lstat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw invalidInput(`cannot write the output directory ${dir}: ${fileProblem(err)}`, { path: dir });
  }
  if (info.isSymbolicLink()) throw invalidInput(`the output ${dir} is a symbolic link: name the directory itself, or a new path`, { path: dir });
  if (!info.isDirectory()) throw invalidInput(`the output ${dir} is a file, not a directory: name a new path for the shards' output`, { path: dir });
  if ((await readdir(dir)).length > 0) throw invalidInput(`the output directory ${dir} is not empty: name a new one (the shards' output is written as one set, never beside older files)`, { path: dir });
}
