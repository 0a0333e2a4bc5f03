import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * Whether two paths name one file: the same path, or links to the same inode. A step whose
 * output is its input overwrites the raw data, and its lineage edge would then run from the
 * output to itself (prepareDataset and the CLI's data set steps refuse it).
 */
export async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [x, y] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  return x !== null && y !== null && x.dev === y.dev && x.ino === y.ino;
}
