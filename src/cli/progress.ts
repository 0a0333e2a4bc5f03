import cliProgress from 'cli-progress';

/**
 * Progress for long CLI work, on stderr so `--json` output on stdout stays clean. A bar on
 * a terminal; elsewhere (CI, pipes) a plain line at most every two seconds.
 */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function startProgress(label: string, total: number | undefined, quiet = false): Progress {
  if (quiet) return { update() {}, finish() {} };
  if (process.stderr.isTTY && total !== undefined) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), finish: () => bar.stop() };
  }
  let last = Date.now();
  let latest = 0;
  const line = () => process.stderr.write(`${label}: ${latest}${total !== undefined ? `/${total}` : ''}\n`);
  return {
    update(done) {
      latest = done;
      if (Date.now() - last >= 2000) {
        last = Date.now();
        line();
      }
    },
    finish() {
      line();
    },
  };
}
