import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './context.js';

/**
 * Parses `argv` with `program`, running the command it names, and reports what went wrong
 * while parsing: commander's own usage errors (an unknown option, a missing value, a choice
 * not offered) and the errors of our option parsers (a bad `--port`) alike, as
 * `{"error": …}` on stdout with `--json` and a line on stderr without, as a command reports
 * its own errors. Returns the exit code of the parse: ok, or usage. One function for
 * `langtrain` and for tests that run commands in process, so the two cannot drift apart.
 */
export async function parseCommandLine(program: Command, argv: readonly string[]): Promise<number> {
  // a parse that failed has no options to read `--json` from: the word itself is asked for
  const json = argv.includes('--json');
  let usageError: string | undefined;
  forEachCommand(program, (command) =>
    command.exitOverride().configureOutput({
      outputError: (message, write) => {
        if (json) usageError = message;
        else write(message);
      },
    }),
  );
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof CommanderError)) return reportError(err, json);
    // `commander.help` is also how a missing (sub)command is reported (help on stderr, exitCode 1): a usage error
    const helpAsked = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || (err.code === 'commander.help' && err.exitCode === 0);
    if (helpAsked) return EXIT.ok;
    if (usageError !== undefined) process.stdout.write(JSON.stringify({ error: { code: 'ERR_INVALID_INPUT', message: usageError.replace(/^error: /, '').trim() } }) + '\n');
    return EXIT.usage;
  }
}

function forEachCommand(command: Command, visit: (command: Command) => void): void {
  visit(command);
  for (const sub of command.commands) forEachCommand(sub, visit);
}
