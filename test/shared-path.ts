import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The read-only `shared/` folder (vectors, data) that sits beside the repository checkout. */
export function sharedPath(relative: string): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const candidate = join(repoRoot, '..', 'shared', relative);
  if (!existsSync(candidate)) throw new Error(`shared file ${relative} not found beside the repository at ${candidate}`);
  return candidate;
}
