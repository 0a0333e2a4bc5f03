#!/usr/bin/env node
import { constants } from 'node:os';
import { Command, CommanderError } from 'commander';
import { removeTemporariesNow } from '../core/pending-temporaries.js';
import { apiKeysCommand } from './commands/api-keys.js';
import { auditCommand } from './commands/audit.js';
import { encryptCommands } from './commands/encrypt.js';
import { iamCommand } from './commands/iam.js';
import { piiCommand } from './commands/pii.js';
import { consentCommand } from './commands/consent.js';
import { lineageCommand } from './commands/lineage.js';
import { eraseCommand } from './commands/erase.js';
import { dpCommand } from './commands/dp.js';
import { trainCommand } from './commands/train.js';
import { keysCommand } from './commands/keys.js';
import { secretsCommand } from './commands/secrets.js';
import { serveCommand } from './commands/serve.js';
import { sessionsCommand } from './commands/sessions.js';
import { usersCommand } from './commands/users.js';
import { EXIT, reportError } from './context.js';

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
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(serveCommand(run));
  program.addCommand(auditCommand(run));
  program.addCommand(keysCommand(run));
  program.addCommand(secretsCommand(run));
  program.addCommand(usersCommand(run));
  program.addCommand(apiKeysCommand(run));
  program.addCommand(sessionsCommand(run));
  program.addCommand(iamCommand(run));
  program.addCommand(piiCommand(run));
  program.addCommand(consentCommand(run));
  program.addCommand(lineageCommand(run));
  program.addCommand(eraseCommand(run));
  program.addCommand(dpCommand(run));
  program.addCommand(trainCommand(run));
  for (const command of encryptCommands(run)) program.addCommand(command);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // `commander.help` is also how a missing (sub)command is reported (help on stderr, exitCode 1): a usage error.
      const helpAsked = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || (err.code === 'commander.help' && err.exitCode === 0);
      return helpAsked ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
  return exitCode;
}

/**
 * Ctrl-C or a kill in the middle of a job: `finally` blocks never run on a signal, so its
 * temporary output is removed here, and the exit code is 128 + the signal's number, as shells
 * expect. A command that handles the signal itself (`serve` shuts down gracefully, letting
 * running jobs finish) is left to; a second signal then ends it here.
 */
function onInterrupt(signal: 'SIGINT' | 'SIGTERM'): void {
  if (process.listenerCount(signal) > 1) return;
  const removed = removeTemporariesNow();
  process.stderr.write(`interrupted (${signal})${removed > 0 ? ': the unfinished output was removed' : ''}\n`);
  process.exit(128 + constants.signals[signal]);
}
process.on('SIGINT', onInterrupt);
process.on('SIGTERM', onInterrupt);

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportError(err, false);
  },
);
