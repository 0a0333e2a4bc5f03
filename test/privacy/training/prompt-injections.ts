import { readFileSync } from 'node:fs';
import { sharedPath } from '../../shared-path.js';

/**
 * deepset/prompt-injections (Apache-2.0; shared/data/prompt-injection-eval/SOURCE.md):
 * 546 training and 116 test texts in English and German, label 1 = injection.
 */
export function promptInjections(split: 'train' | 'test'): Array<{ text: string; label: number }> {
  return readFileSync(sharedPath(`data/prompt-injection-eval/deepset-prompt-injections-${split}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { text: string; label: number });
}
