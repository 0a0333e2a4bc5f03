import { Command } from 'commander';
import { vi } from 'vitest';
import { EXIT, reportError, type Run } from '../../src/cli/context.js';
import { parseCommandLine } from '../../src/cli/parse-command-line.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * `langtrain` commands run in process from the source (not dist), as main.ts runs them: each
 * command's errors reported by `reportError` (JSON with `--json`), and what goes wrong while
 * parsing by the same parseCommandLine; stdout and stderr captured. Faster than a child process and
 * needs no build, for tests of one command's messages.
 */
export async function runInProcess(commands: (run: Run) => Command[], args: readonly string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  let code = 0;
  const run: Run = async (work, json = false) => {
    try {
      await work();
    } catch (thrown) {
      code = reportError(thrown, json);
    }
  };
  const program = new Command('langtrain');
  for (const command of commands(run)) program.addCommand(command);
  try {
    const parsed = await parseCommandLine(program, ['node', 'langtrain', ...args]);
    if (parsed !== EXIT.ok) code = parsed;
  } finally {
    vi.restoreAllMocks();
  }
  return { code, out, err };
}
