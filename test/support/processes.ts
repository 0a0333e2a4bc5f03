import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Run a TypeScript file in a child Node process (through tsx), collecting stdout lines. */
export function spawnTs(file: URL, args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<number | null>; waitFor: (line: string) => Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(file), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.line === line)) w.resolve();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor: (line) =>
      new Promise<void>((resolve, reject) => {
        if (lines.includes(line)) return resolve();
        waiters.push({ line, resolve });
        void exited.then((code) => reject(new Error(`process exited (${code}) before printing "${line}": ${stderr.slice(0, 2000)}`)));
      }),
  };
}
