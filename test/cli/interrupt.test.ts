import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonl, killChildren, spawnCli, workspace } from './run-cli.js';

/**
 * Ctrl-C (SIGINT), a kill (SIGTERM) or a hang-up (SIGHUP) in the middle of a job: no half-written output is left
 * beside the user's files, and the exit code says which signal. The input is a named pipe the
 * test writes to, so that the job is certainly mid-way (records read, output begun, more to
 * come) when the signal arrives, however fast the machine.
 */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

const rows = Array.from({ length: 4000 }, (_, i) => ({ id: i, text: `ticket ${i}: reach me at j.doe@mail-example.co.uk or 198.51.100.${i % 250}` }));

async function untilTemporaryHasOutput(dir: string): Promise<string> {
  for (let waited = 0; waited < 20_000; waited += 20) {
    const temporary = readdirSync(dir).find((name) => name.endsWith('.tmp'));
    if (temporary !== undefined && statSync(join(dir, temporary)).size > 0) return temporary;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no output begun in ${dir}: ${readdirSync(dir).join(', ')}`);
}

describe('langtrain, interrupted', () => {
  for (const { signal, code, command } of [
    { signal: 'SIGINT', code: 130, command: ['pii', 'redact', '--method', 'masking', '--no-audit', '--no-lineage'] },
    { signal: 'SIGTERM', code: 143, command: ['pii', 'scan'] },
    // a closed terminal or a dropped SSH session: the partial output holds raw records
    { signal: 'SIGHUP', code: 129, command: ['pii', 'redact', '--method', 'masking', '--no-audit', '--no-lineage'] },
  ] as const) {
    it(`${command.slice(0, 2).join(' ')} on ${signal}: exit ${code}, the unfinished output removed`, async () => {
      const w = workspace('interrupt');
      cleanups.push(w.cleanup);
      const input = join(w.dir, 'in.jsonl');
      execFileSync('mkfifo', [input]);
      const job = spawnCli([...command, '--input', input, '--output', join(w.dir, 'out.jsonl'), '--field', 'text', '--workers', '1'], { cwd: w.dir });
      const writer = await open(input, 'w'); // opens once the job reads
      cleanups.push(() => void writer.close());
      await writer.write(jsonl(rows)); // read and done; the pipe stays open, so the job waits for more
      const temporary = await untilTemporaryHasOutput(w.dir);
      expect(temporary).toMatch(/^\.out\.jsonl\.[0-9a-f]{16}\.tmp$/);
      job.child.kill(signal);
      expect(await job.exited).toEqual({ code, signal: null });
      expect(job.stderr()).toContain(`interrupted (${signal}): the unfinished output was removed`);
      expect(readdirSync(w.dir).sort()).toEqual(['in.jsonl']);
    });
  }
});
