#!/usr/bin/env node
import { constants } from 'node:os';
import { Command } from 'commander';
import { PACKAGE_VERSION } from '../core/package-version.js';
import { removeTemporariesNow } from '../core/pending-temporaries.js';
import { COMMAND_GROUPS } from './command-groups.js';
import { EXIT, reportError } from './context.js';
import { parseCommandLine } from './parse-command-line.js';

/** `langtrain`: one file per command group; each is a thin shell over SecurityManager. */
async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const run = async (work: () => Promise<void>, json = false) => {
    try {
      await work();
    } catch (err) {
      exitCode = reportError(err, json);
    }
  };
  const program = new Command('langtrain')
    .description('LangTrain Security: audit, keys, identity, access control, privacy and compliance for language-model training and serving')
    .version(PACKAGE_VERSION)
    .showHelpAfterError('(run with --help for usage)');
  const named = COMMAND_GROUPS.filter((group) => group.names.includes(argv[2] ?? ''));
  for (const group of named.length > 0 ? named : COMMAND_GROUPS) for (const command of await group.load(run)) program.addCommand(command);
  const parsed = await parseCommandLine(program, argv);
  return parsed === EXIT.ok ? exitCode : parsed;
}

/**
 * Ctrl-C, a kill, or a hang-up (a closed terminal, a dropped SSH session) in the middle of a
 * job: `finally` blocks never run on a signal, so its temporary output, which may hold raw
 * records, is removed here, and the exit code is 128 + the signal's number, as shells expect.
 * A command that handles the signal itself (`serve` shuts down gracefully, letting running
 * jobs finish) is left to; a second signal then ends it here. Handling SIGHUP costs `nohup`
 * nothing: Node resets an inherited ignored SIGHUP to the default at start, so a job under
 * `nohup` ended on a hang-up before too, only without the cleanup (use setsid, tmux or screen).
 */
function onInterrupt(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP'): void {
  if (process.listenerCount(signal) > 1) return;
  const removed = removeTemporariesNow();
  process.stderr.write(`interrupted (${signal})${removed > 0 ? ': the unfinished output was removed' : ''}\n`);
  process.exit(128 + constants.signals[signal]);
}
process.on('SIGINT', onInterrupt);
process.on('SIGTERM', onInterrupt);
process.on('SIGHUP', onInterrupt);

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportError(err, false);
  },
);
