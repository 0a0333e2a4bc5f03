import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { bundleVerifierKeys, verifyBundle } from '../../audit/bundle.js';
import { storedVerifiers } from '../../audit/checkpoint-signer.js';
import { generateSignerKey, parseVerifierKey, type NoteVerifier } from '../../audit/signed-note.js';
import { MAX_QUERY_LIMIT, type AuditEntryView } from '../../audit/query.js';
import { verifyStore, type VerificationReport } from '../../audit/verifier.js';
import type { AuditEventInput } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import { openStore } from '../../store/database.js';
import { CheckFailed, configFor, openSecurity, output, withCommonOptions, withSecurity, type Run } from '../context.js';
import { WORKERS_PER_CORE, wholeNumberOption, workersOption } from '../number-options.js';
import { startProgress } from '../progress.js';

/** `langtrain audit …`: write, read, prove, export and verify the tamper-evident log. */
export function auditCommand(run: Run): Command {
  const audit = new Command('audit').description('the tamper-evident audit log');

  withCommonOptions(audit.command('log'))
    .description('append one event')
    .requiredOption('--type <eventType>', 'event type, e.g. user_authentication')
    .requiredOption('--result <result>', 'outcome, e.g. success')
    .option('--user <userId>', 'acting user')
    .option('--timestamp <iso>', 'when it happened (default now)')
    .option('--data <json>', 'additional data as a JSON object')
    .option('--sensitive-user', 'seal the user id (stored as a keyed pseudonym)')
    .action((o) =>
      withSecurity(run, o, async (security) => {
        const receipt = await security.audit.logEvent({
          eventType: o.type,
          result: o.result,
          userId: o.user,
          timestamp: o.timestamp,
          additionalData: o.data === undefined ? undefined : parseJsonObject(o.data, '--data'),
          sensitive: o.sensitiveUser ? ['userId'] : undefined,
        });
        output(o, receipt, () => `appended entry ${receipt.index} (${receipt.id})`);
      }, { store: 'create' }),
    );

  withCommonOptions(audit.command('import'))
    .description('append every event of a JSON Lines file; a malformed line appends nothing')
    .argument('<file>', 'one event per line: {"eventType","userId","timestamp","result","additionalData"}')
    .option('--quiet', 'no progress')
    .action((file: string, o) =>
      withSecurity(run, o, async (security) => {
        // Pass 1 checks every line, as this log would, before anything is appended.
        const checkEvent = (event: AuditEventInput) => security.audit.checkEvent(event);
        let total = 0;
        const check = startProgress('checking', undefined, o.quiet || o.json);
        for await (const _ of readEvents(file, checkEvent)) {
          total += 1;
          check.update(total);
        }
        check.finish();
        const progress = startProgress('importing', total, o.quiet || o.json);
        let batch: AuditEventInput[] = [];
        let done = 0;
        let first: number | null = null;
        const flush = async () => {
          const receipts = await security.audit.logEvents(batch);
          first ??= receipts[0]?.index ?? null;
          done += batch.length;
          batch = [];
          progress.update(done);
        };
        for await (const { event } of readEvents(file, checkEvent)) {
          batch.push(event);
          if (batch.length === 2000) await flush();
        }
        if (batch.length > 0) await flush();
        progress.finish();
        await security.audit.checkpoint();
        output(o, { imported: done, firstIndex: first }, () => `imported ${done} events${first === null ? '' : ` from entry ${first}`}`);
      }, { store: 'create' }),
    );

  withCommonOptions(audit.command('query'))
    .description('list entries, oldest first')
    .option('--from <iso>', 'event time at or after')
    .option('--to <iso>', 'event time before')
    .option('--type <eventType>')
    .option('--user <userId>')
    .option('--result <result>')
    .option('--after <index>', 'resume after this entry index', (v) => wholeNumberOption(v, '--after', 0))
    .option('--limit <n>', `at most this many (default 100, at most ${MAX_QUERY_LIMIT})`, (v) => wholeNumberOption(v, '--limit', 1, MAX_QUERY_LIMIT))
    .action((o) =>
      withSecurity(run, o, async (security) => {
        const entries = await security.audit.query({ from: o.from, to: o.to, eventType: o.type, userId: o.user, result: o.result, afterIndex: o.after, limit: o.limit });
        output(o, entries, () =>
          entries.length === 0
            ? 'no entries'
            : entries
                .map((e) => queryLine(e))
                .join('\n'),
        );
      }),
    );

  withCommonOptions(audit.command('prove'))
    .description('inclusion proof of an entry, or consistency proof between two checkpoints')
    .argument('[index]', 'entry index', (v) => wholeNumberOption(v, 'entry index', 0))
    .addOption(new Option('--consistency <sizes...>', 'two checkpoint sizes, e.g. --consistency 1000 2000'))
    .action((index: number | undefined, o) => {
      // the arguments are checked before the store is opened: a usage error is not a missing store
      const asked = proofAsked(index, o.consistency as string[] | undefined);
      return withSecurity(run, o, async (security) => {
        if ('sizes' in asked) {
          const [a, b] = asked.sizes;
          const proof = await security.audit.proveConsistency(a, b);
          output(o, proof, () => `consistency ${a} → ${b}\n${proof.proof.join('\n')}`);
        } else {
          const { index } = asked;
          const proof = await security.audit.proveInclusion(index, { checkpoint: true });
          output(o, proof, () => `entry ${index} in tree of size ${proof.treeSize}\nleaf ${proof.leafHash}\n${proof.proof.join('\n')}\n\n${proof.checkpoint}`);
        }
      });
    });

  withCommonOptions(audit.command('export'))
    .description('write a verifiable JSON Lines bundle (all entries, or matching ones with inclusion proofs)')
    .requiredOption('--output <file>', 'bundle path (written to a temporary file, renamed when complete)')
    .option('--from <iso>')
    .option('--to <iso>')
    .option('--type <eventType>')
    .option('--user <userId>')
    .option('--result <result>')
    .option('--quiet', 'no progress')
    .action((o) =>
      run(async () => {
        const filter = { from: o.from, to: o.to, eventType: o.type, userId: o.user, result: o.result };
        const filtered = Object.values(filter).some((v) => v !== undefined);
        // The bundle is renamed over --output: refuse a missing folder or a non-file (e.g. /dev/stdout) up front.
        if (!existsSync(dirname(resolve(o.output)))) throw invalidInput(`--output: folder ${dirname(resolve(o.output))} does not exist`);
        if (existsSync(o.output) && !statSync(o.output).isFile()) throw invalidInput(`--output: ${o.output} exists and is not a regular file`);
        const security = await openSecurity(o);
        const temporary = `${o.output}.partial-${process.pid}`;
        try {
          const out = createWriteStream(temporary, { flags: 'wx', mode: 0o600 });
          // A write error (disk full, …) must fail the export, not crash the process as an unhandled 'error'.
          let writeError: Error | undefined;
          out.on('error', (err) => (writeError ??= err));
          const progress = startProgress('exporting', undefined, o.quiet || o.json);
          const count = await security.audit.exportBundle({
            ...(filtered ? { filter } : {}),
            write: (line) => {
              if (writeError) throw writeError;
              return out.write(line) ? undefined : once(out, 'drain').then(() => undefined);
            },
            onProgress: (n) => progress.update(n),
          });
          out.end();
          await finished(out);
          renameSync(temporary, o.output);
          progress.finish();
          output(o, { entries: count, output: o.output, complete: !filtered }, () => `exported ${count} entries to ${o.output}`);
        } catch (err) {
          rmSync(temporary, { force: true });
          throw err;
        } finally {
          await security.close();
        }
      }, o.json),
    );

  withCommonOptions(audit.command('verifier-key'))
    .description("print the log's public verifier key, to hand to auditors (they pin it with --verifier-key)")
    .action((o) =>
      run(async () => {
        const store = await openStore(configFor(o).store.url, { mustExist: true });
        try {
          const keys = (await storedVerifiers(store.db).catch(() => [])).map((v) => v.verifierKey);
          if (keys.length === 0) throw new LangtrainError('ERR_NOT_FOUND', `no audit log in ${store.displayUrl} yet`);
          output(o, { verifierKeys: keys }, () => keys.join('\n'));
        } finally {
          await store.close();
        }
      }, o.json),
    );

  withCommonOptions(audit.command('signing-key'))
    .description('generate an Ed25519 checkpoint signing key into a file (for audit.signingKey: file:PATH), kept out of the database')
    .requiredOption('--output <file>', 'where to write the private key (created with mode 0600; never overwritten)')
    .option('--origin <name>', 'the log origin the key signs for (default: audit.origin)')
    .action((o) =>
      run(async () => {
        const origin = o.origin ?? configFor(o).audit.origin;
        const { signerKey, verifierKey } = generateSignerKey(origin);
        try {
          writeFileSync(o.output, signerKey + '\n', { mode: 0o600, flag: 'wx' });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw invalidInput(`${o.output} exists; a signing key is never overwritten`);
          throw invalidInput(`cannot write ${o.output}: ${(err as Error).message}`);
        }
        output(o, { file: o.output, verifierKey }, () =>
          [`wrote the signing key to ${o.output} (mode 0600)`, `verifier key (publish it to auditors): ${verifierKey}`, `use it with: audit.signingKey: file:${o.output}`].join('\n'),
        );
      }, o.json),
    );

  withCommonOptions(audit.command('verify'))
    .description('re-derive the tree and check every signed checkpoint; exit 1 names the first bad entry')
    .option('--bundle <file>', 'verify an exported bundle instead of the store')
    .option('--checkpoint <file>', 'with --bundle: a signed checkpoint note you kept from before; the bundle must be consistent with it (detects a forked or cut-short log)')
    .option('--verifier-key <key...>', "pin the log's public key(s) (NAME+ID+KEY); default: the key recorded in the store / bundle")
    .option('--workers <n>', `threads checking entries, up to ${WORKERS_PER_CORE} per core (default: up to 4 for logs of 100,000 entries or more; 0 = this thread only)`, (v) => workersOption(v))
    .option('--quiet', 'no progress')
    .action((o) =>
      run(async () => {
        const progress = startProgress('verifying', undefined, o.quiet || o.json);
        const pinned: NoteVerifier[] | undefined = o.verifierKey?.map((k: string) => parseVerifierKey(k));
        let report: VerificationReport;
        if (o.bundle) {
          if (!existsSync(o.bundle)) throw invalidInput(`bundle ${o.bundle} does not exist`);
          const trustedCheckpoint = o.checkpoint === undefined ? undefined : readCheckpointFile(o.checkpoint);
          const verifiers = pinned ?? (await bundleVerifierKeys(lines(o.bundle))).map((k) => parseVerifierKey(k));
          report = await verifyBundle(lines(o.bundle), { verifiers, onProgress: (n) => progress.update(n), ...(trustedCheckpoint === undefined ? {} : { trustedCheckpoint }) });
        } else {
          if (o.checkpoint !== undefined) throw invalidInput('--checkpoint needs --bundle (a store is checked against its own checkpoints)');
          const store = await openStore(configFor(o).store.url, { mustExist: true });
          try {
            const verifiers = pinned ?? (await storedVerifiers(store.db).catch(() => {
              throw new LangtrainError('ERR_NOT_FOUND', `no audit log in ${store.displayUrl}`);
            }));
            // a pinned key must see a checkpoint of its own: a log stripped of them could be anyone's
            report = await verifyStore(store, { verifiers, requireCheckpoint: pinned !== undefined, onProgress: (n) => progress.update(n), ...(o.workers !== undefined ? { workers: o.workers } : {}) });
          } finally {
            await store.close();
          }
        }
        progress.finish();
        output(o, report, () => describeReport(report, pinned !== undefined));
        if (!report.ok) throw new CheckFailed();
      }, o.json),
    );

  withCommonOptions(audit.command('checkpoint'))
    .description('sign a checkpoint over everything appended so far')
    .action((o) =>
      withSecurity(run, o, async (security) => {
        const size = await security.audit.checkpoint();
        const latest = await security.audit.latestCheckpoint();
        output(o, { size, note: latest?.note ?? null }, () => (latest ? latest.note : 'the log is empty'));
      }),
    );

  withCommonOptions(audit.command('prune'))
    .description('apply the retention period: remove old payloads, keep their leaf hashes')
    .action((o) =>
      withSecurity(run, o, async (security) => {
        const pruned = await security.audit.prune();
        output(o, { pruned }, () => `pruned ${pruned} entries`);
      }),
    );

  withCommonOptions(audit.command('shred'))
    .description("destroy a user's payload keys: their sealed payloads become unreadable, proofs stay valid")
    .requiredOption('--user <userId>')
    .action((o) =>
      withSecurity(run, o, async (security) => {
        const keys = await security.audit.shredSubject(o.user);
        output(o, { destroyedKeys: keys }, () => `destroyed ${keys} payload key(s)`);
      }),
    );

  return audit;
}

function describeReport(report: VerificationReport, pinned: boolean): string {
  const filtered = report.ok && report.bundle?.complete === false;
  const lines = [
    report.ok ? (filtered ? 'OK: every entry in the bundle verifies' : 'OK: the log verifies') : `FAILED: ${report.problem?.reason}`,
    `entries: ${report.entries} (${report.prunedEntries} pruned)`,
    `checkpoints verified: ${report.checkpointsVerified}, up to tree size ${report.verifiedSize}`,
  ];
  // No index: no entry is at fault (e.g. the key does not sign this log), so none is named.
  if (report.problem?.index !== undefined) lines.splice(1, 0, `first bad entry: ${report.problem.index}`);
  // Right under the verdict: a filtered bundle cannot show that nothing was left out.
  if (filtered && report.bundle?.notice) lines.splice(1, 0, report.bundle.notice);
  if (report.ok && report.trustedCheckpoint !== undefined) lines.push(`consistent with your checkpoint at tree size ${report.trustedCheckpoint}`);
  if (report.ok && report.unsignedTail > 0) lines.push(`not yet signed: ${report.unsignedTail} newest entries (run: langtrain audit checkpoint)`);
  if (!pinned) lines.push("note: checked against the key recorded with the log; pin the log's public key with --verifier-key to detect a replaced key or a log stripped of its checkpoints");
  return lines.join('\n');
}

/**
 * One `audit query` line: tab-separated fields. A field holding a tab, a line break or any
 * other control character (a client-chosen user id can) is printed as a JSON string, so it
 * can neither fake extra columns nor extra entries. `submittedBy` — set by the server on
 * events written by an API client — gets its own column, so a client's event cannot pass
 * for the platform's.
 */
export function queryLine(e: AuditEntryView): string {
  const submittedBy = e.additionalData?.submittedBy;
  const fields = [
    String(e.index),
    e.timestamp ?? '-',
    e.eventType ?? '(pruned)',
    e.userId ?? '-',
    e.result ?? '-',
    submittedBy === undefined ? '-' : `submittedBy=${typeof submittedBy === 'string' ? submittedBy : JSON.stringify(submittedBy)}`,
  ];
  const data = e.additionalData ? JSON.stringify(e.additionalData) : e.payload;
  return [...fields.map(escapeField), data].join('\t');
}

/** A field as is, or as a JSON string when it holds a control character or a quote-led text that could be mistaken for one. */
function escapeField(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text) || text.startsWith('"') ? JSON.stringify(text) : text;
}

/**
 * The signed note in a `--checkpoint` file: the note itself (as `audit checkpoint` prints it),
 * the text of `audit prove` (the note is its last part), or JSON with a `note` or `checkpoint`
 * field (`audit checkpoint --json`, `audit prove --json`, a bundle's checkpoint line).
 */
function readCheckpointFile(file: string): string {
  if (!existsSync(file)) throw invalidInput(`--checkpoint: ${file} does not exist`);
  const text = readFileSync(file, 'utf8').replace(/\r\n/g, '\n').trim();
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidInput(`--checkpoint: ${file} is not valid JSON`);
    }
    const record = json as { note?: unknown; checkpoint?: unknown } | null;
    const note = record?.note ?? record?.checkpoint;
    if (typeof note !== 'string') throw invalidInput(`--checkpoint: ${file} has no "note" or "checkpoint" field`);
    return note;
  }
  // A note has one blank line, between its text and its signatures; `audit prove` puts the proof before it.
  const blocks = text.split('\n\n');
  return blocks.slice(-2).join('\n\n') + '\n';
}

function parseJsonObject(text: string, what: string): Record<string, never> {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw invalidInput(`${what} must be a JSON object, e.g. '{"ip_address":"10.0.1.100"}'`);
}

function lines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file), crlfDelay: Infinity });
}

/** Events of an import file, each with its line number; a bad line is named. */
async function* readEvents(file: string, check: (event: AuditEventInput) => void): AsyncGenerator<{ event: AuditEventInput; line: number }> {
  if (!existsSync(file)) throw invalidInput(`${file} does not exist`);
  let line = 0;
  for await (const text of lines(file)) {
    line += 1;
    if (text.trim() === '') continue;
    let event: AuditEventInput;
    try {
      event = JSON.parse(text);
    } catch {
      throw invalidInput(`${file}:${line}: not valid JSON; nothing was imported`);
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) throw invalidInput(`${file}:${line}: must be a JSON object; nothing was imported`);
    try {
      check(event);
    } catch (err) {
      throw invalidInput(`${file}:${line}: ${(err as Error).message}; nothing was imported`);
    }
    yield { event, line };
  }
}

/** What `audit prove` was asked for: an entry's inclusion, or the consistency of two checkpoint sizes; never both, never neither. */
function proofAsked(index: number | undefined, consistency: string[] | undefined): { index: number } | { sizes: [number, number] } {
  if (consistency === undefined) {
    if (index === undefined) throw invalidInput('give an entry index, or --consistency A B');
    return { index };
  }
  const sizes = consistency.map((v) => wholeNumberOption(v, '--consistency', 0));
  if (sizes.length !== 2) throw invalidInput(`--consistency takes two checkpoint sizes, e.g. --consistency 1000 2000; got ${sizes.length}`);
  if (index !== undefined) throw invalidInput('give an entry index, or --consistency A B, not both');
  return { sizes: [sizes[0]!, sizes[1]!] };
}
