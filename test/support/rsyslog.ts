import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './services.js';

/**
 * A private rsyslogd (installed by .ci/run) receiving syslog over TCP on a loopback port, in
 * the foreground, writing each message it parsed to a file as `pri|timestamp|host|app|procid|msgid|msg`:
 * what a SIEM's syslog input would see. Its own config, work directory and pid file, so it
 * never touches the system's.
 */
export interface Rsyslog {
  port: number;
  /** The messages written so far, one line each. */
  lines(): string[];
  /** Waits until at least `n` lines are written. */
  waitForLines(n: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find(existsSync);

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRsyslog(port?: number): Promise<Rsyslog> {
  if (RSYSLOGD === undefined) throw new Error('rsyslogd is not installed: run .ci/run or apt-get install rsyslog');
  const dir = tempDir('rsyslog');
  const listen = port ?? (await freePort());
  const out = join(dir.path, 'messages.log');
  const config = join(dir.path, 'rsyslog.conf');
  writeFileSync(
    config,
    [
      `global(workDirectory="${dir.path}")`,
      'module(load="imtcp")',
      `input(type="imtcp" port="${listen}" address="127.0.0.1")`,
      'template(name="fields" type="string" string="%pri%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%msg%\\n")',
      `*.* action(type="omfile" file="${out}" template="fields")`,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', config, '-i', join(dir.path, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') : []);
  // ready once it accepts connections
  for (let i = 0; ; i++) {
    const accepted = await new Promise<boolean>((resolve) => {
      const probe = connect(listen, '127.0.0.1', () => {
        probe.end();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (accepted) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`rsyslogd did not start listening on ${listen}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port: listen,
    lines,
    async waitForLines(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (lines().length < n) {
        if (Date.now() > until) throw new Error(`rsyslog wrote ${lines().length} of ${n} lines in ${timeoutMs} ms: ${lines().join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return lines();
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      dir.cleanup();
    },
  };
}
