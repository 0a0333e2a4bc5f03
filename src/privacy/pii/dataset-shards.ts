import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
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
  /** Worker threads; default one per core. 0 redacts on this thread. */
  workers?: number;
  /** After each batch: the file being redacted, and input bytes read over all files. */
  onProgress?: (progress: { file: string; bytes: number; totalBytes: number }) => void;
}

export interface RedactShardsReport extends RedactDatasetReport {
  files: Array<{ file: string } & Omit<RedactDatasetReport, 'workers'>>;
}

const SHARD_EXTENSIONS = /\.(?:jsonl|ndjson|csv)$/i;

export async function redactShards(job: RedactShardsJob): Promise<RedactShardsReport> {
  const { inputDir, outputDir, workers, onProgress, audit, ...settings } = job;
  const shards = await shardsIn(inputDir);
  await refuseUsedOutput(outputDir);
  const totalBytes = shards.reduce((sum, s) => sum + s.bytes, 0);
  // written beside the output, then renamed: no reader sees a directory with some files missing
  const temporary = join(dirname(outputDir), `.${basename(outputDir)}.${randomBytes(8).toString('hex')}.tmp`);
  await mkdir(temporary, { mode: 0o700 }).catch((err: unknown) => {
    throw invalidInput(`cannot write ${outputDir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `the directory ${dirname(outputDir)} does not exist` : fileProblem(err)}`, { path: outputDir });
  });
  const pool = workers === 0 ? 0 : new BatchWorkers(workers ?? availableParallelism());
  const report: RedactShardsReport = { records: 0, redactedRecords: 0, counts: zeroCounts(), bytes: 0, workers: 0, files: [] };
  let renamed = false;
  try {
    for (const shard of shards) {
      const before = report.bytes;
      const done = await redactDataset({
        ...settings,
        input: shard.path,
        output: join(temporary, shard.name),
        workers: pool,
        ...(audit ? { audit: { ...audit, dataset: `${audit.dataset}/${shard.name}` } } : {}),
        onProgress: ({ bytes }) => onProgress?.({ file: shard.name, bytes: before + bytes, totalBytes }),
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
    await rename(temporary, outputDir);
    renamed = true;
  } finally {
    if (pool !== 0) await pool.close();
    if (!renamed) await rm(temporary, { recursive: true, force: true });
  }
  await syncDirectory(dirname(outputDir));
  return report;
}

async function shardsIn(dir: string): Promise<Array<{ name: string; path: string; bytes: number }>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw invalidInput(`cannot read the input directory ${dir}: ${fileProblem(err)}`, { path: dir });
  }
  const candidates = entries.filter((e) => SHARD_EXTENSIONS.test(e.name) && (e.isFile() || e.isSymbolicLink())).map((e) => e.name).sort();
  const shards = await Promise.all(
    candidates.map(async (name) => {
      const info = await stat(join(dir, name)).catch(() => null); // a link to nothing is no shard
      return info?.isFile() ? { name, path: join(dir, name), bytes: info.size } : null;
    }),
  );
  const files = shards.filter((shard) => shard !== null);
  if (files.length === 0) throw invalidInput(`the input directory ${dir} holds no .jsonl, .ndjson or .csv file`, { path: dir });
  return files;
}

async function refuseUsedOutput(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw invalidInput(`cannot write the output directory ${dir}: ${fileProblem(err)}`, { path: dir });
  }
  if (entries.length > 0) throw invalidInput(`the output directory ${dir} is not empty: name a new one (redacted shards are written as one set, never beside older files)`, { path: dir });
}
