import cliProgress from 'cli-progress';

/**
 * Progress for long CLI work, on stderr so `--json` output on stdout stays clean. On a
 * terminal, a bar with the percentage and the time left once the total is known; elsewhere
 * (CI, pipes, a log file), or while the total is unknown, a plain line at most every two
 * seconds, with the percentage and time left too when the total is known.
 */
export interface Progress {
  /** `done` so far; `total` when it is learnt only once the work has begun (the size of a data set, read as the job opens it). */
  update(done: number, total?: number): void;
  finish(): void;
}

/** How a count is printed, e.g. bytes as MB; as is by default. */
export type ShowCount = (n: number) => string;

export function startProgress(label: string, total: number | undefined, quiet = false, show: ShowCount = String): Progress {
  if (quiet) return { update() {}, finish() {} };
  const lines = progressLines(label, total, show);
  if (!process.stderr.isTTY) return lines;
  let bar: cliProgress.SingleBar | undefined;
  const startBar = (of: number) => {
    bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
        formatValue: (v, options, type) => (type === 'value' || type === 'total' ? show(v) : cliProgress.Format.ValueFormat(v, options, type)),
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(of, 0);
  };
  if (total !== undefined) startBar(total);
  return {
    update(done, learnt) {
      if (bar === undefined && learnt !== undefined) startBar(learnt);
      if (bar === undefined) return lines.update(done);
      if (learnt !== undefined) bar.setTotal(learnt);
      bar.update(done);
    },
    finish() {
      if (bar === undefined) lines.finish();
      else bar.stop();
    },
  };
}

/** The plain form: `label: done`, or `label: done/total (pct%, 1m05s left)` once the total is known. */
function progressLines(label: string, initialTotal: number | undefined, show: ShowCount): Progress {
  const started = Date.now();
  let last = started;
  let done = 0;
  let total = initialTotal;
  const line = (finished: boolean) => {
    let text = `${label}: ${show(done)}`;
    if (total !== undefined) text += `/${show(total)} (${percent(done, total)}%${finished ? '' : timeLeft(Date.now() - started, done, total)})`;
    process.stderr.write(text + '\n');
  };
  return {
    update(count, learnt) {
      done = count;
      total = learnt ?? total;
      if (Date.now() - last >= 2000) {
        last = Date.now();
        line(false);
      }
    },
    finish() {
      line(true);
    },
  };
}

function percent(done: number, total: number): number {
  return total <= 0 ? 100 : Math.min(100, Math.floor((100 * done) / total));
}

/** Time left at the average rate so far; nothing before the first unit of work is done (no rate yet). */
function timeLeft(elapsedMs: number, done: number, total: number): string {
  if (done <= 0 || done >= total) return '';
  const seconds = Math.round((elapsedMs / 1000) * ((total - done) / done));
  return `, ${cliProgress.Format.TimeFormat(seconds, { autopaddingChar: '0' }, 1)} left`;
}
