import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { loadConfig, type Config, type ConfigInput } from '../core/config.js';
import { fileProblem, invalidInput, LangtrainError } from '../core/errors.js';
import type { SecurityManager } from '../security-manager.js';
import { checkStoreFile, newStoreNote, type StoreUse } from './store-file.js';

/** Options every command takes (ARCHITECTURE.md): where the store is, the config file, output form. */
export interface CommonOptions {
  db?: string;
  config?: string;
  json?: boolean;
}

/** Exit codes: 0 ok, 1 a check failed, 2 usage or input error. */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2 } as const;

export function withCommonOptions(command: Command): Command {
  return command
    .addOption(new Option('--db <url>', 'store URL: sqlite:PATH or postgres://… (default from config: sqlite:.langtrain/langtrain.db)'))
    .addOption(new Option('--config <file>', 'configuration file (default langtrain.config.yaml if present)'))
    .addOption(new Option('--json', 'print machine-readable JSON'));
}

/** The configuration a command runs on: the file, `LANGTRAIN_*` variables, then `overrides`, then `--db`. */
export function configFor(options: CommonOptions, overrides: ConfigInput = {}): Config {
  return loadConfig({ file: options.config, overrides: { ...overrides, ...(options.db ? { store: { ...overrides.store, url: options.db } } : {}) } });
}

/** How a command opens the SecurityManager. */
export interface Opening {
  /** Whether the command may start a missing SQLite store (store-file.ts); default `existing`: a missing one is refused. */
  store?: StoreUse;
  /** Configuration beyond the common flags (serve: the server's host, port and TLS). */
  config?: ConfigInput;
}

export async function openSecurity(options: CommonOptions, { store = 'existing', config = {} }: Opening = {}): Promise<SecurityManager> {
  // loaded once: the store checked is the store opened
  const loaded = configFor(options, config);
  const created = checkStoreFile(loaded.store.url, store);
  // loaded here, not at start: it brings the stores, their drivers and every service, which a
  // command that needs none (help, `pii redact --no-audit`, `dp`) should not wait for
  const { SecurityManager } = await import('../security-manager.js');
  const security = await SecurityManager.openWithConfig(loaded);
  if (created !== undefined) process.stderr.write(newStoreNote(created));
  return security;
}

/** How main.ts runs a command's work: reports errors and sets the exit code. */
export type Run = (work: () => Promise<void>, json?: boolean) => Promise<void>;

/** Run `work` with a SecurityManager opened from the command's options, always closed after. */
export function withSecurity(run: Run, options: CommonOptions, work: (security: SecurityManager) => Promise<void>, opening: Opening = {}): Promise<void> {
  return run(async () => {
    const security = await openSecurity(options, opening);
    try {
      await work(security);
    } finally {
      await security.close();
    }
  }, options.json);
}

/** Print a result: JSON on `--json`, otherwise the human form. */
export function output(options: CommonOptions, json: unknown, human: () => string): void {
  process.stdout.write(options.json ? JSON.stringify(json, null, 2) + '\n' : human() + '\n');
}

/** A failed check (exit 1), distinct from an error (exit 2). */
export class CheckFailed extends Error {}

/**
 * Report an error the way users can act on (exit 2). Expected failures print their
 * message only; an unexpected one also prints its stack on stderr, for a bug report.
 * LangtrainError messages never carry secrets, so printing them is safe.
 */
export function reportError(thrown: unknown, json: boolean): number {
  if (thrown instanceof CheckFailed) return EXIT.checkFailed;
  const err = fileError(thrown) ?? thrown;
  const known = err instanceof LangtrainError;
  const code = known ? err.code : 'ERR_INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  if (json) process.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
  else process.stderr.write(`error: ${message}\n`);
  if (!known && err instanceof Error && err.stack) process.stderr.write(`(unexpected; please report it with this trace)\n${err.stack}\n`);
  return EXIT.usage;
}

const FILE_ERRORS = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM']);
/** The calls that open or look up a file a user named; a failed rename or mkdir is another story. */
const OPENING_CALLS = new Set(['open', 'stat', 'lstat', 'scandir', 'read']);

/** A file that cannot be opened (`--input missing.jsonl`) is the user's to fix, not a bug: said so, without a trace. */
function fileError(err: unknown): LangtrainError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, path, syscall } = err as NodeJS.ErrnoException;
  if (typeof path !== 'string' || !FILE_ERRORS.has(code ?? '') || !OPENING_CALLS.has(syscall ?? '')) return undefined;
  return invalidInput(`cannot open ${path}: ${fileProblem(err)}`, { path });
}

/** How the audit and lineage logs name an operator at this machine's shell. */
export function cliActor(): string {
  return `cli:${userInfo().username}`;
}
