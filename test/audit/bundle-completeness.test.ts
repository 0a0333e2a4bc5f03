import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../src/audit/audit-logger.js';
import { verifyBundle } from '../../src/audit/bundle.js';
import { storedVerifiers } from '../../src/audit/checkpoint-signer.js';
import { hashChildren, hashLeaf, inclusionProofRanges } from '../../src/audit/merkle.js';
import { generateSignerKey, type NoteVerifier } from '../../src/audit/signed-note.js';
import { verifyStore } from '../../src/audit/verifier.js';
import { tempDir } from '../support/services.js';

/**
 * What a bundle holder without the signing key can do to a bundle, and what a log without
 * checkpoints proves: nothing. Every case here verified OK before the fix.
 */
const event = (i: number) => ({ eventType: 'data_access', userId: i % 4 === 1 ? 'xavier' : `user-${i}`, result: 'success', additionalData: { row: i } });
const ORIGIN = 'langtrain.local/audit';

async function* linesOf(lines: readonly string[]): AsyncGenerator<string> {
  for (const line of lines) yield line.replace(/\n$/, '');
}

const parse = (lines: readonly string[]) => lines.map((line) => JSON.parse(line));
const write = (records: readonly object[]) => records.map((r) => JSON.stringify(r));
const isEntry = (r: { type: string }) => r.type === 'entry';

/** A made-up entry at `index`, with its leaf hash recomputed (what anyone can do). */
function fakeEntry(index: number) {
  const body = `{"data":{"approvedBy":"ciso"},"eventType":"model.deploy","id":"00000000-0000-4000-8000-${String(index).padStart(12, '0')}","index":${index},"level":"basic","loggedAt":"2026-11-26T23:00:09.000Z","result":"success","timestamp":"2026-11-26T23:00:09.000Z","userId":"ciso","v":1}`;
  return { type: 'entry', index, leafHash: hashLeaf(body).toString('hex'), body };
}

/** Inclusion proofs recomputed from a complete bundle's leaf hashes (no key needed). */
function prover(records: ReadonlyArray<{ type: string; leafHash?: string }>) {
  const leaves = records.filter(isEntry).map((e) => Buffer.from(e.leafHash!, 'hex'));
  const mth = (a: number, b: number): Buffer => {
    if (b - a === 1) return leaves[a]!;
    let k = 1;
    while (k * 2 < b - a) k *= 2;
    return hashChildren(mth(a, a + k), mth(a + k, b));
  };
  return (index: number, size: number) => inclusionProofRanges(index, size).map(([a, b]) => mth(a, b).toString('hex'));
}

describe('bundle completeness and signed coverage', () => {
  const dir = tempDir('bundle-completeness');
  const keyFile = join(dir.path, 'checkpoint.key');
  let log: AuditLogger;
  let logKey: NoteVerifier;
  let note12: string;
  const complete: string[] = [];
  const filtered: string[] = [];

  beforeAll(async () => {
    writeFileSync(keyFile, generateSignerKey(ORIGIN).signerKey);
    // Checkpoints at 12 and 20, linked by a consistency proof in the bundle.
    log = new AuditLogger({ storeUrl: `sqlite:${join(dir.path, 'audit.db')}`, signingKey: `file:${keyFile}`, origin: ORIGIN, checkpointEvery: 1000 });
    await log.logEvents(Array.from({ length: 12 }, (_, i) => event(i)));
    await log.checkpoint();
    note12 = (await log.latestCheckpoint())!.note;
    await log.logEvents(Array.from({ length: 8 }, (_, i) => event(12 + i)));
    await log.exportBundle({ write: (line) => void complete.push(line) });
    await log.exportBundle({ filter: { userId: 'xavier' }, write: (line) => void filtered.push(line) });
    logKey = (await storedVerifiers((await log.store()).db))[0]!;
  });
  afterAll(async () => {
    await log.close();
    dir.cleanup();
  });

  const verify = (lines: readonly string[], trustedCheckpoint?: string) =>
    verifyBundle(linesOf(lines), { verifiers: [logKey], ...(trustedCheckpoint === undefined ? {} : { trustedCheckpoint }) });

  it('a genuine complete bundle verifies, with no unsigned entry and its header size checked', async () => {
    expect(await verify(complete)).toMatchObject({ ok: true, entries: 20, checkpointsVerified: 2, verifiedSize: 20, unsignedTail: 0, bundle: { complete: true, treeSize: 20 } });
  });

  describe('a complete bundle', () => {
    it('fails with every checkpoint and consistency line removed and forged entries', async () => {
      const records = parse(complete).filter((r) => r.type !== 'checkpoint' && r.type !== 'consistency');
      const forged = records.map((r) => (isEntry(r) && r.index === 3 ? fakeEntry(3) : r));
      for (const lines of [write(records), write(forged)]) {
        const report = await verify(lines);
        expect(report).toMatchObject({ ok: false, checkpointsVerified: 0, problem: { index: 0, reason: expect.stringMatching(/^no checkpoint in the bundle signed by the verifier key covers its entries \(0\.\.19\)/) } });
      }
    });

    it('fails on made-up entries appended after its newest checkpoint, naming the first', async () => {
      const extended = write([...parse(complete), fakeEntry(20), fakeEntry(21)]);
      expect((await verify(extended)).problem).toMatchObject({ index: 20, reason: expect.stringMatching(/^entries 20\.\.21 are not covered by any signed checkpoint/) });
      // With the header's size raised to match, too.
      const [header, ...rest] = parse(extended);
      expect((await verify(write([{ ...header, treeSize: 22 }, ...rest]))).problem).toMatchObject({ index: 20 });
    });

    it("fails when cut short to an older checkpoint but the header's size is kept", async () => {
      const cut = parse(complete).filter((r) => !(isEntry(r) && r.index >= 12) && !(r.type === 'checkpoint' && r.size > 12) && r.type !== 'consistency');
      expect((await verify(write(cut))).problem).toMatchObject({ index: 12, reason: expect.stringContaining('the header says the log has 20 entries but the complete bundle holds 12') });
    });

    it('without any checkpoint and any entry proves nothing', async () => {
      const [header] = parse(complete);
      const report = await verify(write([{ ...header, treeSize: 0 }]));
      expect(report).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('no checkpoint signed by the verifier key') } });
    });
  });

  describe('a filtered bundle', () => {
    it('verifies and says that entries left out are not detectable', async () => {
      const report = await verify(filtered);
      expect(report).toMatchObject({ ok: true, entries: 5, bundle: { complete: false, treeSize: 20, notice: expect.stringMatching(/^FILTERED bundle: 5 of 20 entries; entries left out are not detectable/) } });
    });

    it('made from a complete one (complete: false, entries dropped, proofs recomputed) is reported as filtered', async () => {
      const records = parse(complete);
      const prove = prover(records);
      const [header, ...rest] = records;
      const omitted = write([{ ...header, complete: false }, ...rest.filter((r) => !isEntry(r)), ...rest.filter((r) => isEntry(r) && [0, 19].includes(r.index)).map((e) => ({ ...e, proof: prove(e.index, 20) }))]);
      const report = await verify(omitted);
      expect(report.bundle).toMatchObject({ complete: false, notice: expect.stringMatching(/^FILTERED bundle: 2 of 20 entries/) });
    });

    it('fails on a repeated or out-of-order entry', async () => {
      const records = parse(filtered);
      const entries = records.filter(isEntry);
      const repeated = write([...records, entries[1]]);
      expect((await verify(repeated)).problem).toMatchObject({ index: entries[1].index, reason: expect.stringContaining('duplicated or out of order') });
      const swapped = write([...records.filter((r) => !isEntry(r)), entries[1], entries[0], ...entries.slice(2)]);
      expect((await verify(swapped)).problem).toMatchObject({ index: entries[0].index, reason: expect.stringContaining('duplicated or out of order') });
    });

    it('fails on an entry blanked after a kept one (pruning is a prefix)', async () => {
      const third = parse(filtered).filter(isEntry)[2].index;
      const blanked = write(parse(filtered).map((r) => (isEntry(r) && r.index === third ? { ...r, body: null } : r)));
      expect((await verify(blanked)).problem).toMatchObject({ index: third, reason: expect.stringContaining('blanked') });
    });

    it("fails when the header's size is not its newest checkpoint's", async () => {
      const [header, ...rest] = parse(filtered);
      expect((await verify(write([{ ...header, treeSize: 25 }, ...rest]))).problem).toMatchObject({ reason: expect.stringContaining('the header says the log has 25 entries') });
    });
  });

  describe("against the auditor's own earlier checkpoint", () => {
    it('a complete bundle consistent with it verifies and says so', async () => {
      expect(await verify(complete, note12)).toMatchObject({ ok: true, trustedCheckpoint: 12, checkpointsVerified: 2 });
    });

    it('a filtered bundle holding the same checkpoint verifies', async () => {
      expect(await verify(filtered, note12)).toMatchObject({ ok: true, trustedCheckpoint: 12 });
    });

    it('a complete bundle cut short before it fails, even with its header fixed', async () => {
      const cut = parse(complete).filter((r) => !(isEntry(r) && r.index >= 10) && r.type !== 'checkpoint' && r.type !== 'consistency');
      const [header, ...rest] = cut;
      const report = await verify(write([{ ...header, treeSize: 10 }, ...rest]), note12);
      expect(report).toMatchObject({ ok: false, problem: { checkpointSize: 12, reason: expect.stringContaining('entries 10..11 are missing') } });
    });

    it('a bundle of a fork (another log signed with the same key) fails', async () => {
      const forkDir = tempDir('bundle-fork');
      // The same private key, copied to another host (where nothing remembers what it signed).
      const copied = join(forkDir.path, 'checkpoint.key');
      writeFileSync(copied, readFileSync(keyFile));
      const fork = new AuditLogger({ storeUrl: `sqlite:${join(forkDir.path, 'audit.db')}`, signingKey: `file:${copied}`, origin: ORIGIN, checkpointEvery: 1000 });
      try {
        await fork.logEvents(Array.from({ length: 20 }, (_, i) => event(i === 5 ? 500 : i)));
        await fork.checkpoint();
        const forked: string[] = [];
        await fork.exportBundle({ write: (line) => void forked.push(line) });
        expect((await verify(forked)).ok).toBe(true); // alone, it looks fine
        expect((await verify(forked, note12)).problem).toMatchObject({ checkpointSize: 12, reason: expect.stringContaining('do not hash to signed checkpoint 12') });
        const forkedFiltered: string[] = [];
        await fork.exportBundle({ filter: { userId: 'xavier' }, write: (line) => void forkedFiltered.push(line) });
        expect((await verify(forkedFiltered, note12)).problem?.reason).toMatch(/no checkpoint at tree size 12|differs from the trusted checkpoint/);
      } finally {
        await fork.close();
        forkDir.cleanup();
      }
    });

    it('a note not signed by the verifier key is an input error', async () => {
      await expect(verify(complete, note12.replace('\n12\n', '\n13\n'))).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('trusted checkpoint') });
    });
  });
});

describe('a store with entries but no signed checkpoint', () => {
  const dir = tempDir('verify-unsigned');
  afterAll(() => dir.cleanup());

  it('fails with the pinned key until a checkpoint is signed; newer unsigned entries stay a note', async () => {
    const log = new AuditLogger({ storeUrl: `sqlite:${join(dir.path, 'audit.db')}`, checkpointEvery: 1000, checkpointInterval: 3_600_000 });
    try {
      expect(await log.verify()).toMatchObject({ ok: true, entries: 0 }); // an empty log
      await log.logEvents(Array.from({ length: 5 }, (_, i) => event(i)));
      const store = await log.store();
      const verifiers = await storedVerifiers(store.db);
      // against its own recorded key, a new log before its first checkpoint is an unsigned tail
      expect(await verifyStore(store, { verifiers })).toMatchObject({ ok: true, checkpointsVerified: 0, unsignedTail: 5 });
      const unsigned = await verifyStore(store, { verifiers, requireCheckpoint: true });
      expect(unsigned).toMatchObject({ ok: false, checkpointsVerified: 0, problem: { index: 0, reason: expect.stringContaining('no signed checkpoint covers these entries (0..4)') } });
      expect(unsigned.problem?.reason).toContain('run langtrain audit checkpoint');
      await log.checkpoint();
      await log.logEvents(Array.from({ length: 3 }, (_, i) => event(5 + i)));
      expect(await verifyStore(store, { verifiers })).toMatchObject({ ok: true, checkpointsVerified: 1, verifiedSize: 5, unsignedTail: 3 });
    } finally {
      await log.close();
    }
  });
});
