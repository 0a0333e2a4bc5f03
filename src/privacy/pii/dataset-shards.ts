import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { syncDirectory } from '../../core/atomic-file.js';
import { fileProblem, invalidInput, isLangtrainError, LangtrainError } from '../../core/errors.js';
import { BatchWorkers } from './dataset-pipeline.js';
import { redactDataset, type RedactDatasetJob, type RedactDatasetReport } from './dataset-redaction.js';
import { ENTITY_TYPES, zeroCounts } from './entity-types.js';

/**
 * A data set in shards: every `.jsonl`, `.ndjson` and `.csv` file directly in `inputDir`,
 * redacted in name order into `outputDir` under the same names, all on one set of worker
 * threads kept across the files (BatchWorkers: each thread starts and compiles its code once,
 * which on fresh threads is half of a 50 MB file's time). One job: synthetic fakes are
 * consistent across the files, and the output directory appears only when every file
 * succeeded.
 */
export interface RedactShardsJob extends Omit<RedactDatasetJob, 'input' | 'output' | 'format' | 'workers' | 'onProgress'> {
  inputDir: string;
  /** A new directory, or an empty one. */
  outputDir: string;
  /** Worker threads of the job's own (default one per core; 0 redacts on this thread), or a pool the caller keeps across jobs. */
  workers?: number | BatchWorkers;
  /** After each batch: the file being redacted, and records done and input bytes read over all files. */
  onProgress?: (progress: { file: string; records: number; bytes: number; totalBytes: number }) => void;
}

export interface RedactShardsReport extends RedactDatasetReport {
  files: Array<{ file: string } & Omit<RedactDatasetReport, 'workers'>>;
  /** Files of the input directory that are not shards (other extensions), left out. */
  skipped: string[];
}

const SHARD_EXTENSIONS = /\.(?:jsonl|ndjson|csv)$/i;

export async function redactShards(job: RedactShardsJob): Promise<RedactShardsReport> {
  const { inputDir, workers, onProgress, audit, ...settings } = job;
  // resolved: with a trailing slash, lstat follows a link the rename then refuses after all the work
  const outputDir = job.outputDir.trim() === '' ? '' : resolve(job.outputDir);
  const { shards, skipped } = await shardsIn(inputDir);
  await refuseUsedOutput(outputDir);
  const totalBytes = shards.reduce((sum, s) => sum + s.bytes, 0);
  // written beside the output, then renamed: no reader sees a directory with some files missing
  const temporary = join(dirname(outputDir), `.${basename(outputDir)}.${randomBytes(8).toString('hex')}.tmp`);
  await mkdir(temporary, { mode: 0o700 }).catch((err: unknown) => {
    throw invalidInput(`cannot write ${outputDir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `the directory ${dirname(outputDir)} does not exist` : fileProblem(err)}`, { path: outputDir });
  });
  const owned = typeof workers !== 'object';
  const pool = workers === 0 ? 0 : owned ? new BatchWorkers(workers ?? availableParallelism()) : workers;
  const report: RedactShardsReport = { records: 0, redactedRecords: 0, counts: zeroCounts(), bytes: 0, workers: 0, files: [], skipped };
  let renamed = false;
  try {
    for (const shard of shards) {
      const [bytesBefore, recordsBefore] = [report.bytes, report.records];
      const done = await redactDataset({
        ...settings,
        input: shard.path,
        output: join(temporary, shard.name),
        workers: pool,
        // a name, not a local path: "s3://bucket/exports" must keep its two slashes
        ...(audit ? { audit: { ...audit, dataset: `${audit.dataset.replace(/[\\/]+$/, '')}/${shard.name}` } } : {}),
        onProgress: ({ records, bytes }) => onProgress?.({ file: shard.name, records: recordsBefore + records, bytes: bytesBefore + bytes, totalBytes }),
      }).catch((err: unknown) => {
        throw isLangtrainError(err) ? new LangtrainError(err.code, `${shard.name}: ${err.message}`, { ...err.details, file: shard.name }, { cause: err }) : err;
      });
      const { workers, ...counted } = done;
      report.workers = workers;
      report.files.push({ file: shard.name, ...counted });
      report.records += done.records;
      report.redactedRecords += done.redactedRecords;
      report.bytes += done.bytes;
      for (const type of ENTITY_TYPES) report.counts[type] += done.counts[type];
    }
    // an empty directory of that name is replaced; anything else was refused above
    await rename(temporary, outputDir).catch((err: unknown) => {
      const why = (err as NodeJS.ErrnoException).code === 'ENOTEMPTY' ? 'it was filled while the shards were redacted' : fileProblem(err);
      throw invalidInput(`cannot move the redacted shards into ${outputDir}: ${why}; nothing was written there`, { path: outputDir });
    });
    renamed = true;
  } finally {
    if (pool !== 0 && owned) await pool.close();
    if (!renamed) await rm(temporary, { recursive: true, force: true });
  }
  await syncDirectory(dirname(outputDir));
  return report;
}

/**
 * The shards of `dir` in name order, and its other files. An entry named as a shard that is no
 * readable file (a directory, a link to nothing) fails: a shard must not vanish from the output.
 */
async function shardsIn(dir: string): Promise<{ shards: Array<{ name: string; path: string; bytes: number }>; skipped: string[] }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw invalidInput(`cannot read the input directory ${dir}: ${fileProblem(err)}`, { path: dir });
  }
  const names = entries.map((e) => e.name).sort();
  const shards = await Promise.all(
    names.filter((name) => SHARD_EXTENSIONS.test(name)).map(async (name) => {
      const path = join(dir, name);
      const info = await stat(path).catch((err: unknown) => {
        throw invalidInput(`cannot read the shard ${path}: ${fileProblem(err)}`, { path });
      });
      if (!info.isFile()) throw invalidInput(`the shard ${path} is not a file: move it out of ${dir}, or rename it`, { path });
      return { name, path, bytes: info.size };
    }),
  );
  if (shards.length === 0) throw invalidInput(`the input directory ${dir} holds no .jsonl, .ndjson or .csv file`, { path: dir });
  const skipped = entries.filter((e) => !SHARD_EXTENSIONS.test(e.name) && !e.isDirectory()).map((e) => e.name).sort();
  return { shards, skipped };
}

/** An output that may become the shards' directory: a new path, or an empty directory that is not a link. */
async function refuseUsedOutput(dir: string): Promise<void> {
  if (dir.trim() === '') throw invalidInput('name the output directory (--output)');
  let info;
  try {
    info = await lstat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw invalidInput(`cannot write the output directory ${dir}: ${fileProblem(err)}`, { path: dir });
  }
  if (info.isSymbolicLink()) throw invalidInput(`the output ${dir} is a symbolic link: name the directory itself, or a new path`, { path: dir });
  if (!info.isDirectory()) throw invalidInput(`the output ${dir} is a file, not a directory: name a new path for the redacted shards`, { path: dir });
  if ((await readdir(dir)).length > 0) throw invalidInput(`the output directory ${dir} is not empty: name a new one (redacted shards are written as one set, never beside older files)`, { path: dir });
}
