import { join } from 'node:path';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle.js';
import { openNote, parseCheckpoint, parseVerifierKey } from '../../src/audit/signed-note.js';
import { openStore } from '../../src/store/database.js';
import { jsonl, killChildren, parseJson, runCli, workspace } from './run-cli.js';

/** Reads: `audit query` filters, `audit prove` (inclusion and consistency), `audit checkpoint`. */
const w = workspace('read');
afterAll(() => w.cleanup());
afterEach(() => killChildren());

const cli = (...args: string[]) => runCli([...args, '--db', w.db], { cwd: w.dir });
const hours = (h: number) => `2024-03-01T${String(h).padStart(2, '0')}:00:00.000Z`;
// 12 events: types alternate, users cycle a/b/c, every third fails, one hour apart.
const events = Array.from({ length: 12 }, (_, i) => ({
  eventType: i % 2 === 0 ? 'user_authentication' : 'model_access',
  userId: ['alice', 'bob', 'carol'][i % 3],
  timestamp: hours(i),
  result: i % 3 === 2 ? 'failure' : 'success',
  additionalData: { i },
}));

/** The verifier key recorded with the log, as an auditor would have pinned it. */
function verifiers() {
  const db = new Database(w.db.slice('sqlite:'.length), { readonly: true });
  try {
    return (db.prepare('SELECT verifier_key FROM audit_keys').all() as Array<{ verifier_key: string }>).map((r) => parseVerifierKey(r.verifier_key));
  } finally {
    db.close();
  }
}

const rootOf = (note: string) => parseCheckpoint(openNote(note, verifiers()).text);

beforeAll(async () => {
  // Two imports: the log holds signed checkpoints at sizes 4 and 12.
  for (const slice of [events.slice(0, 4), events.slice(4)]) {
    const r = await runCli(['audit', 'import', w.file(`e${slice.length}.jsonl`, jsonl(slice)), '--db', w.db], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
  }
});

describe('langtrain audit query', () => {
  const indexes = async (...args: string[]) => {
    const r = await cli('audit', 'query', '--json', ...args);
    expect(r.code, r.stderr).toBe(0);
    return parseJson(r).map((e: any) => e.index) as number[];
  };
  const expected = (keep: (e: (typeof events)[number], i: number) => boolean) => events.flatMap((e, i) => (keep(e, i) ? [i] : []));

  it('lists everything oldest first, and prints one tab-separated line per entry', async () => {
    expect(await indexes()).toEqual(expected(() => true));
    const human = await cli('audit', 'query', '--limit', '2');
    expect(human.stdout.trimEnd().split('\n')).toEqual([
      `0\t${hours(0)}\tuser_authentication\talice\tsuccess\t-\t{"i":0}`,
      `1\t${hours(1)}\tmodel_access\tbob\tsuccess\t-\t{"i":1}`,
    ]);
  });

  it('filters by --type, --user and --result, alone and together', async () => {
    expect(await indexes('--type', 'model_access')).toEqual(expected((e) => e.eventType === 'model_access'));
    expect(await indexes('--user', 'bob')).toEqual(expected((e) => e.userId === 'bob'));
    expect(await indexes('--result', 'failure')).toEqual(expected((e) => e.result === 'failure'));
    expect(await indexes('--type', 'user_authentication', '--result', 'failure', '--user', 'carol')).toEqual(
      expected((e) => e.eventType === 'user_authentication' && e.result === 'failure' && e.userId === 'carol'),
    );
    expect(await indexes('--user', 'nobody')).toEqual([]);
    expect((await cli('audit', 'query', '--user', 'nobody')).stdout).toBe('no entries\n');
  });

  it('--from is inclusive and --to exclusive, on event time', async () => {
    expect(await indexes('--from', hours(3), '--to', hours(7))).toEqual([3, 4, 5, 6]);
    expect(await indexes('--from', '2024-03-01T09:30:00+00:00')).toEqual([10, 11]);
    expect(await indexes('--to', hours(2))).toEqual([0, 1]);
  });

  it('pages with --limit and --after', async () => {
    expect(await indexes('--limit', '3')).toEqual([0, 1, 2]);
    expect(await indexes('--after', '2', '--limit', '3')).toEqual([3, 4, 5]);
    expect(await indexes('--after', '11')).toEqual([]);
    expect(await indexes('--user', 'alice', '--after', '3', '--limit', '2')).toEqual([6, 9]);
  });

  it('refuses a bad --limit or --from with exit 2', async () => {
    const limit = await cli('audit', 'query', '--limit', 'ten');
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--limit must be a whole number from 1 to 10000; got "ten"');
    const from = await cli('audit', 'query', '--from', 'yesterday');
    expect(from.code).toBe(2);
    expect(from.stderr).toMatch(/invalid audit query: from/);
  });
});

describe('langtrain audit prove', () => {
  it('prints an inclusion proof that verifies against the signed checkpoint it prints', async () => {
    const r = await cli('audit', 'prove', '5');
    expect(r.code, r.stderr).toBe(0);
    const [head, note] = [r.stdout.slice(0, r.stdout.indexOf('\n\n')), r.stdout.slice(r.stdout.indexOf('\n\n') + 2, -1)];
    const [title, leafLine, ...proof] = head.split('\n');
    expect(title).toBe('entry 5 in tree of size 12');
    const leaf = Buffer.from(leafLine!.replace(/^leaf /, ''), 'hex');
    const checkpoint = rootOf(note);
    expect(checkpoint).toMatchObject({ origin: 'langtrain.local/audit', size: 12 });
    const hashes = proof.map((h) => Buffer.from(h, 'hex'));
    expect(hashes.length).toBeGreaterThan(0);
    expect(verifyInclusion(leaf, 5, checkpoint.size, hashes, checkpoint.root)).toBe(true);
    // The same proof does not place the leaf anywhere else.
    expect(verifyInclusion(leaf, 4, checkpoint.size, hashes, checkpoint.root)).toBe(false);

    const json = parseJson(await cli('audit', 'prove', '5', '--json'));
    expect(json).toEqual({ index: 5, treeSize: 12, leafHash: leafLine!.slice(5), proof, checkpoint: note });
    const stored = parseJson(await cli('audit', 'query', '--json', '--after', '4', '--limit', '1'));
    expect(stored[0].leafHash).toBe(json.leafHash);
  });

  it('prints a consistency proof between two checkpoints that verifies', async () => {
    const r = await cli('audit', 'prove', '--consistency', '4', '12');
    expect(r.code, r.stderr).toBe(0);
    const [title, ...proof] = r.stdout.trimEnd().split('\n');
    expect(title).toBe('consistency 4 → 12');
    const json = parseJson(await cli('audit', 'prove', '--consistency', '4', '12', '--json'));
    expect(json.proof).toEqual(proof);
    const [a, b] = [rootOf(json.checkpoint1), rootOf(json.checkpoint2)];
    expect([a.size, b.size]).toEqual([4, 12]);
    const hashes = proof.map((h) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(4, 12, hashes, a.root, b.root)).toBe(true);
    expect(verifyConsistency(4, 12, hashes, b.root, a.root)).toBe(false);
    // nothing given is left unread: three sizes, or an index beside them, are refused
    const three = await cli('audit', 'prove', '--consistency', '4', '12', '13');
    expect([three.code, three.stderr]).toEqual([2, 'error: --consistency takes two checkpoint sizes, e.g. --consistency 1000 2000; got 3\n']);
    const both = await cli('audit', 'prove', '5', '--consistency', '4', '12');
    expect([both.code, both.stderr]).toEqual([2, 'error: give an entry index, or --consistency A B, not both\n']);
    // a usage error before the store is looked for: not "no store at …"
    const noStore = await runCli(['audit', 'prove', '5', '--consistency', '4', '12', '--db', `sqlite:${join(w.dir, 'none.db')}`], { cwd: w.dir });
    expect([noStore.code, noStore.stderr]).toEqual([2, 'error: give an entry index, or --consistency A B, not both\n']);
  });

  it('refuses an index past the log, an unknown checkpoint size, or no argument (exit 2)', async () => {
    const past = await cli('audit', 'prove', '12');
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/entry 12 is not in the log/);
    const unknown = await cli('audit', 'prove', '--consistency', '4', '7');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no checkpoint at tree size 7/);
    const none = await cli('audit', 'prove');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give an entry index, or --consistency A B/);
  });
});

describe('langtrain audit checkpoint', () => {
  it('prints the signed checkpoint over the whole log; on an empty log says so', async () => {
    const r = await cli('audit', 'checkpoint', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { size, note } = parseJson(r);
    expect(size).toBe(12);
    expect(rootOf(note)).toMatchObject({ size: 12 });
    const human = await cli('audit', 'checkpoint');
    expect(human.stdout).toBe(`${note}\n`);

    const empty = workspace('read-empty');
    try {
      // A store that was never created is no empty log: refused, and not created.
      const missing = await runCli(['audit', 'checkpoint', '--db', empty.db], { cwd: empty.dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`no store at ${empty.db.slice('sqlite:'.length)}`);
      expect(existsSync(empty.db.slice('sqlite:'.length))).toBe(false);
      await (await openStore(empty.db)).close();
      const e = await runCli(['audit', 'checkpoint', '--db', empty.db], { cwd: empty.dir });
      expect(e.code, e.stderr).toBe(0);
      expect(e.stdout).toBe('the log is empty\n');
    } finally {
      empty.cleanup();
    }
  });
});
