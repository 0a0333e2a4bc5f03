import { invalidInput } from '../core/errors.js';
import { sameFile } from '../privacy/lineage/same-file.js';

/**
 * Refuses an `--output` that is the `--input` (the same path, or a link to the same file),
 * before the job starts: its output would replace the data it reads. `instead` says what to do.
 */
export async function refuseOutputIsInput(input: string, output: string, instead: string): Promise<void> {
  if (await sameFile(input, output)) throw invalidInput(`--output is the input (${output}): ${instead}`, { path: output });
}
