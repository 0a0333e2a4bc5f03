import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { invalidInput } from '../../core/errors.js';
import type { Inspection } from '../../threat/adversarial/adversarial-defense.js';
import { CheckFailed, cliActor, output, withCommonOptions, withSecurity, type Run } from '../context.js';
import { startProgress } from '../progress.js';

/**
 * `langtrain scan …`: inputs to language models checked for prompt injection (AdversarialDefense,
 * every detection method; adversarial inputs recorded for review by digest).
 */
export function scanCommand(run: Run): Command {
  const scan = new Command('scan').description('check inputs to language models for prompt injection');

  withCommonOptions(scan.command('prompt'))
    .description('check one input; exit 1 when it is adversarial')
    .argument('<text>')
    .action((text: string, o) =>
      withSecurity(run, o, async (security) => {
        const inspection = await (await security.adversarialDefense()).inspect(text, { actor: cliActor() });
        output(o, inspection, () => describe(inspection));
        if (inspection.adversarial) throw new CheckFailed();
      }),
    );

  withCommonOptions(scan.command('prompts'))
    .description('check each line of a JSON Lines file; prints how many are adversarial and which lines; exit 1 when any is')
    .requiredOption('--input <file>', 'JSON Lines, one input a line')
    .option('--field <name>', 'the field holding the input (default text)', 'text')
    .option('--quiet', 'no progress')
    .action((o) =>
      withSecurity(run, o, async (security) => {
        const defense = await security.adversarialDefense({ responseActions: ['flag_for_review'] });
        const progress = startProgress('scanning', undefined, o.quiet || o.json);
        const adversarial: Array<{ line: number; score: number; matchedRules: string[] }> = [];
        let line = 0;
        for await (const text of createInterface({ input: createReadStream(o.input), crlfDelay: Infinity })) {
          line++;
          if (text.trim() === '') continue;
          let record: unknown;
          try {
            record = JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text); // a byte-order mark is no part of the JSON
          } catch {
            throw invalidInput(`${o.input} line ${line}: not valid JSON`, { line });
          }
          const value = (record as Record<string, unknown> | null)?.[o.field];
          if (typeof value !== 'string') throw invalidInput(`${o.input} line ${line}: no string field ${o.field} (choose another with --field)`, { line });
          const inspection = await defense.inspect(value, { actor: cliActor() }).catch((err: Error) => {
            throw invalidInput(`${o.input} line ${line}: ${err.message}`, { line });
          });
          if (inspection.adversarial) adversarial.push({ line, score: inspection.score, matchedRules: inspection.matchedRules });
          progress.update(line);
        }
        progress.finish();
        output(o, { lines: line, adversarial }, () => [`${adversarial.length} of ${line} lines look adversarial`, ...adversarial.map((a) => `  line ${a.line}: score ${a.score}${a.matchedRules.length ? ` (${a.matchedRules.join(', ')})` : ''}`)].join('\n'));
        if (adversarial.length > 0) throw new CheckFailed();
      }),
    );
  return scan;
}

function describe(i: Inspection): string {
  const why = [...i.matchedRules, ...i.disguises.map((d) => `disguise: ${d}`)].join(', ');
  return `${i.adversarial ? 'ADVERSARIAL' : 'clean'} (score ${i.score}; ${i.detectors.map((d) => `${d.detector} ${d.score}`).join(', ')})${why ? `: ${why}` : ''}`;
}
