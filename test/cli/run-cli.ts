import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/services.js';

/**
 * Run the real built CLI (`node dist/cli/main.js …`) as a child process, the way users do.
 * `npm test` builds dist/ before vitest; run `npm run build` first when calling vitest directly.
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export function cliPath(): string {
  if (!existsSync(CLI)) throw new Error(`the built CLI ${CLI} is missing: run "npm run build" first (npm test does it before vitest)`);
  return CLI;
}

/** The parent's environment without any LANGTRAIN_* override, so only the test's flags count. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('LANGTRAIN_')) env[key] = value;
  return { ...env, ...extra };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Kill every child this module started that is still running (call from afterEach). */
export async function killChildren(): Promise<void> {
  const waits = [...running].map((child) => {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    return exited;
  });
  await Promise.all(waits);
  running.clear();
}

function start(args: string[], cwd: string): ChildProcess {
  const child = spawn(process.execPath, [cliPath(), ...args], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Run one command to completion. */
export function runCli(args: string[], options: { cwd: string; timeoutMs?: number }): Promise<CliResult> {
  const child = start(args, options.cwd);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`langtrain ${args.join(' ')} did not finish in ${options.timeoutMs ?? 25_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 25_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running command (serve): its stdout so far, and a way to wait for a line. */
export interface LiveCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(args: string[], options: { cwd: string }): LiveCli {
  const child = start(args, options.cwd);
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((resolvePromise, reject) => {
      const check = () => {
        const match = stdout.match(pattern);
        if (!match) return;
        done();
        resolvePromise(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} on stdout within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then(({ code, signal }) => {
        if (!listeners.has(check)) return;
        done();
        reject(new Error(`process exited (${code ?? signal}) before printing ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`));
      });
      check();
    });
  return { child, stdout: () => stdout, stderr: () => stderr, waitFor, exited };
}

/** A temporary working directory per test; `.langtrain/` and every file of the test land here. */
export function workspace(label: string): { dir: string; db: string; cleanup: () => void; file: (name: string, text: string) => string } {
  const { path, cleanup } = tempDir(`cli-${label}`);
  return {
    dir: path,
    db: `sqlite:${join(path, 'audit.db')}`,
    cleanup,
    file: (name, text) => {
      const target = join(path, name);
      writeFileSync(target, text);
      return target;
    },
  };
}

/** JSON Lines of events. */
export function jsonl(events: readonly unknown[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

/** Parse stdout as JSON, with the output in the failure message. */
export function parseJson<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/**
 * A workspace whose store the test also opens through the library (to make accounts and
 * sessions, and to check what the CLI did), with the CLI bound to the same store and KEK.
 */
export async function libraryWorkspace(label: string, cleanups: Array<() => unknown>) {
  const w = workspace(label);
  cleanups.push(w.cleanup);
  const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
  const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir });
  const { SecurityManager } = await import('../../src/security-manager.js');
  const security = await SecurityManager.open({ configFile: config, config: { store: { url: w.db } }, env: {} });
  cleanups.push(() => security.close());
  return { cli, security, auth: await security.authenticationManager() };
}
