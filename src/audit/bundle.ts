import type { Store } from '../store/database.js';
import { z } from 'zod';
import { invalidInput } from '../core/errors.js';
import { openCheckpoint } from './checkpoint-signer.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from './merkle.js';
import type { PayloadSealer } from './payload-seal.js';
import { queryEntries, type AuditQuery } from './query.js';
import type { NoteVerifier } from './signed-note.js';
import { listCheckpoints, readConsistencyProof, readInclusionProof } from './tree-store.js';
import {
  noCheckpointReason,
  requireVerifiers,
  storedEntries,
  verifierKeyMismatch,
  verifyEntries,
  type VerifiableEntry,
  type VerificationProblem,
  type VerificationReport,
} from './verifier.js';

/**
 * The export bundle: JSON Lines an auditor can verify with nothing but the log's public
 * key. A complete bundle carries every entry and checkpoint (the verifier re-derives the
 * tree); a filtered one carries the matching entries, each with an inclusion proof to one
 * signed checkpoint. Consistency proofs link successive checkpoints either way.
 */
export const BUNDLE_FORMAT = 'langtrain-audit-bundle/1';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

const lineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('header'),
    format: z.literal(BUNDLE_FORMAT),
    verifierKeys: z.array(z.string()),
    complete: z.boolean(),
    treeSize: z.number().int().min(0),
  }),
  z.object({
    type: z.literal('entry'),
    index: z.number().int().min(0),
    leafHash: hex32,
    /** The entry's canonical bytes as text; null once pruned. */
    body: z.string().nullable(),
    proof: z.array(hex32).optional(),
  }),
  z.object({ type: z.literal('checkpoint'), size: z.number().int().min(1), note: z.string() }),
  z.object({ type: z.literal('consistency'), size1: z.number().int().min(1), size2: z.number().int().min(1), proof: z.array(hex32) }),
]);

type BundleLine = z.infer<typeof lineSchema>;

export interface ExportOptions {
  /** Export only matching entries, each with an inclusion proof; omit for the whole log. */
  filter?: Omit<AuditQuery, 'afterIndex' | 'limit'>;
  verifierKeys: string[];
  write: (line: string) => void | Promise<void>;
  onProgress?: (entries: number) => void;
}

/** Write a bundle; returns how many entries it holds. Make a checkpoint first so every entry is covered. */
export async function exportBundle(store: Store, sealer: PayloadSealer | null, options: ExportOptions): Promise<number> {
  const db = store.db;
  const checkpoints = await listCheckpoints(db);
  const head = checkpoints.at(-1);
  const complete = options.filter === undefined;
  // Both kinds end at the newest checkpoint: a verifier refuses entries of a complete bundle
  // that no checkpoint covers, and entries appended since it was signed are left for the next export.
  const treeSize = head?.size ?? 0;
  const emit = (line: BundleLine) => options.write(JSON.stringify(line) + '\n');
  await emit({ type: 'header', format: BUNDLE_FORMAT, verifierKeys: options.verifierKeys, complete, treeSize });
  for (const cp of checkpoints) await emit({ type: 'checkpoint', size: cp.size, note: cp.note });
  for (let i = 1; i < checkpoints.length; i += 1) {
    const [a, b] = [checkpoints[i - 1]!.size, checkpoints[i]!.size];
    const proof = await readConsistencyProof(db, a, b);
    await emit({ type: 'consistency', size1: a, size2: b, proof: proof.map((h) => h.toString('hex')) });
  }
  let count = 0;
  if (complete) {
    for await (const entry of storedEntries(db, treeSize)) {
      await emit({ type: 'entry', index: entry.index, leafHash: entry.leafHash.toString('hex'), body: entry.body });
      count += 1;
      if (count % 10_000 === 0) options.onProgress?.(count);
    }
  } else if (head) {
    let afterIndex = -1;
    for (;;) {
      const page = await queryEntries(store, { ...options.filter, afterIndex, limit: 1000 }, sealer);
      const inTree = page.filter((e) => e.index < head.size);
      for (const view of inTree) {
        const row = await db.selectFrom('audit_entries').select(['body']).where('seq', '=', view.index).executeTakeFirstOrThrow();
        const { leafHash, proof } = await readInclusionProof(db, view.index, head.size);
        await emit({
          type: 'entry',
          index: view.index,
          leafHash: leafHash.toString('hex'),
          body: row.body,
          proof: proof.map((h) => h.toString('hex')),
        });
        count += 1;
      }
      if (page.length < 1000 || inTree.length < page.length) break;
      afterIndex = page.at(-1)!.index;
    }
  }
  options.onProgress?.(count);
  return count;
}

export interface BundleVerifyOptions {
  /** Trusted verifier keys. Without them the bundle's own keys are used, which only proves self-consistency. */
  verifiers: NoteVerifier[];
  /**
   * A signed checkpoint note the auditor kept from before (e.g. from an earlier bundle or
   * `audit prove`). The bundle must agree with it: same root at that size, else the log
   * was forked or rewritten since. For a complete bundle the tree is re-derived at that size,
   * so a bundle cut short before it fails too.
   */
  trustedCheckpoint?: string;
  onProgress?: (entries: number) => void;
}

/** Verify a bundle read line by line. A malformed line is reported with its line number. */
export async function verifyBundle(lines: AsyncIterable<string>, options: BundleVerifyOptions): Promise<VerificationReport> {
  requireVerifiers(options.verifiers);
  const iterator = numbered(lines);
  const first = await iterator.next();
  if (first.done) throw invalidInput('the bundle is empty');
  const header = first.value.line;
  if (header.type !== 'header') throw invalidInput('line 1: a bundle starts with its header');
  const checkpoints: Array<{ size: number; note: string }> = [];
  const consistency: Array<{ size1: number; size2: number; proof: string[] }> = [];
  const proofs = new Map<number, string[]>();

  // Entries stream straight into the verifier; checkpoints come before them in a bundle.
  let pendingEntry: VerifiableEntry | undefined;
  let next = await iterator.next();
  while (!next.done && next.value.line.type !== 'entry') {
    const line = next.value.line;
    if (line.type === 'checkpoint') checkpoints.push({ size: line.size, note: line.note });
    else if (line.type === 'consistency') consistency.push(line);
    else throw invalidInput(`line ${next.value.number}: unexpected ${line.type}`);
    next = await iterator.next();
  }
  if (!next.done) pendingEntry = toEntry(next.value.line as Extract<BundleLine, { type: 'entry' }>, proofs);

  async function* entries(): AsyncGenerator<VerifiableEntry> {
    if (pendingEntry) yield pendingEntry;
    for await (const { line, number } of iterator) {
      if (line.type !== 'entry') throw invalidInput(`line ${number}: ${line.type} after the entries`);
      yield toEntry(line, proofs);
    }
  }

  // The auditor's own checkpoint: a bad note is an input error (exit 2), like a bad key.
  let trusted: { size: number; root: Buffer; note: string } | undefined;
  if (options.trustedCheckpoint !== undefined) {
    try {
      const opened = openCheckpoint(options.trustedCheckpoint, options.verifiers);
      trusted = { size: opened.size, root: opened.root, note: options.trustedCheckpoint };
    } catch (err) {
      throw invalidInput(`the trusted checkpoint is not a checkpoint signed by the verifier key: ${(err as Error).message}`);
    }
    if (trusted.size <= 0) throw invalidInput('the trusted checkpoint covers no entries');
  }

  const wrongKey = verifierKeyMismatch(checkpoints, options.verifiers);
  if (wrongKey) return failed(wrongKey);

  const linked: Array<{ size1: number; size2: number }> = [];
  for (const link of consistency) {
    const a = checkpoints.find((c) => c.size === link.size1);
    const b = checkpoints.find((c) => c.size === link.size2);
    if (!a || !b) throw invalidInput(`consistency proof ${link.size1}→${link.size2} names a checkpoint the bundle lacks`);
    const roots: Buffer[] = [];
    for (const cp of [a, b]) {
      try {
        roots.push(openCheckpoint(cp.note, options.verifiers).root);
      } catch (err) {
        // As for a store, the first entry not covered by the checkpoint before this one.
        return failed({ index: sizeBefore(checkpoints, cp.size), checkpointSize: cp.size, reason: `checkpoint ${cp.size} is not validly signed: ${(err as Error).message}` });
      }
    }
    if (!verifyConsistency(link.size1, link.size2, link.proof.map(fromHex), roots[0]!, roots[1]!)) {
      return failed({ index: link.size1, checkpointSize: link.size2, reason: `checkpoint ${link.size2} is not an extension of checkpoint ${link.size1}: entries from ${link.size1} on were forked or rewritten` });
    }
    linked.push(link);
  }

  if (header.complete) {
    // The trusted checkpoint joins the bundle's own: the re-derived tree must hash to it too.
    const all = trusted ? [...checkpoints, { size: trusted.size, note: trusted.note }] : checkpoints;
    const report = await verifyEntries(entries(), all, { verifiers: options.verifiers, onProgress: options.onProgress, requireSigned: true });
    // Checkpoints are checked by increasing size, so the trusted one passed iff the verified size reached it.
    const trustedPassed = trusted !== undefined && report.verifiedSize >= trusted.size;
    if (trustedPassed) report.checkpointsVerified -= 1; // counted, but it is the auditor's, not the bundle's
    report.bundle = { complete: true, treeSize: header.treeSize };
    if (report.problem?.reason === noCheckpointReason(report.entries)) {
      report.problem = { ...report.problem, reason: `no checkpoint in the bundle signed by the verifier key covers its entries (0..${report.entries - 1}): nothing proves they are the log's, they could have been forged` };
    }
    if (!report.ok) {
      if (trusted && report.problem?.checkpointSize === trusted.size && !checkpoints.some((c) => c.size === trusted.size)) {
        report.problem = { ...report.problem, reason: `the trusted checkpoint: ${report.problem.reason}` };
      }
      return report;
    }
    // The header is not signed, but a complete bundle's own entries and newest checkpoint must agree with it.
    if (header.treeSize !== report.entries) {
      return { ...report, ok: false, problem: { index: Math.min(header.treeSize, report.entries), reason: `the header says the log has ${header.treeSize} entries but the complete bundle holds ${report.entries}: entries were removed or added` } };
    }
    if (report.checkpointsVerified === 0 && !trustedPassed) {
      // Entries without one already failed; an empty bundle without one proves nothing either.
      return { ...report, ok: false, problem: { reason: 'the bundle has no checkpoint signed by the verifier key: it proves nothing' } };
    }
    if (trusted) report.trustedCheckpoint = trusted.size;
    return report;
  }
  const report = await verifyProvenEntries(entries(), checkpoints, header.treeSize, proofs, options);
  if (!report.ok || !trusted) return report;
  const problem = trustedAgrees(trusted, checkpoints, linked, options.verifiers);
  return problem ? { ...report, ok: false, problem } : { ...report, trustedCheckpoint: trusted.size };
}

/**
 * For a filtered bundle (which cannot re-derive the tree): the trusted checkpoint must be one
 * of the bundle's checkpoints with the same root, linked to the newest one by consistency proofs.
 */
function trustedAgrees(
  trusted: { size: number; root: Buffer },
  checkpoints: ReadonlyArray<{ size: number; note: string }>,
  linked: ReadonlyArray<{ size1: number; size2: number }>,
  verifiers: NoteVerifier[],
): VerificationProblem | undefined {
  const head = newest(checkpoints)!;
  if (trusted.size > head.size) {
    return { checkpointSize: trusted.size, reason: `the trusted checkpoint (tree size ${trusted.size}) is newer than the bundle's newest checkpoint (${head.size}): the bundle is older than what you have seen, or entries were cut off` };
  }
  const same = checkpoints.filter((c) => c.size === trusted.size);
  if (same.length === 0) {
    return {
      checkpointSize: trusted.size,
      reason: `cannot check the trusted checkpoint: the filtered bundle has no checkpoint at tree size ${trusted.size} (verify a complete bundle against it instead)`,
    };
  }
  for (const cp of same) {
    if (!openCheckpoint(cp.note, verifiers).root.equals(trusted.root)) {
      return { index: 0, checkpointSize: trusted.size, reason: `checkpoint ${trusted.size} differs from the trusted checkpoint of that size: the log was forked or rewritten` };
    }
  }
  // Walk consistency links (each verified above) from the trusted size up to the newest checkpoint.
  let at = trusted.size;
  while (at < head.size) {
    const step = linked.filter((l) => l.size1 === at && l.size2 > at).reduce((best, l) => Math.max(best, l.size2), at);
    if (step === at) {
      return { checkpointSize: at, reason: `no consistency proof links checkpoint ${at} (agreeing with the trusted checkpoint) to the bundle's newest checkpoint ${head.size}` };
    }
    at = step;
  }
  return undefined;
}

async function verifyProvenEntries(
  entries: AsyncIterable<VerifiableEntry>,
  checkpoints: ReadonlyArray<{ size: number; note: string }>,
  treeSize: number,
  proofs: Map<number, string[]>,
  options: BundleVerifyOptions,
): Promise<VerificationReport> {
  const report: VerificationReport = { ok: true, entries: 0, prunedEntries: 0, checkpointsVerified: 0, verifiedSize: 0, unsignedTail: 0 };
  const head = newest(checkpoints);
  // Without a checkpoint nothing in the bundle can be checked; no entry is at fault.
  if (!head) return failed({ reason: 'a filtered bundle needs a signed checkpoint' });
  let signed;
  try {
    signed = openCheckpoint(head.note, options.verifiers);
  } catch (err) {
    return failed({ index: 0, checkpointSize: head.size, reason: `checkpoint ${head.size} is not validly signed: ${(err as Error).message}` });
  }
  if (signed.size !== head.size) return failed({ index: 0, checkpointSize: head.size, reason: `checkpoint ${head.size} was altered: its signed note says size ${signed.size}` });
  if (treeSize !== signed.size) {
    return failed({ checkpointSize: head.size, reason: `the header says the log has ${treeSize} entries but the bundle's newest checkpoint covers ${signed.size}: the bundle was altered` });
  }
  report.checkpointsVerified = 1;
  report.verifiedSize = signed.size;
  const bad = (index: number, reason: string): VerificationReport => ({ ...report, ok: false, problem: { index, reason } });
  let last = -1;
  let kept = false;
  for await (const entry of entries) {
    // Export writes each matching entry once, in index order: a repeat would inflate the count.
    if (entry.index <= last) return bad(entry.index, `entry ${entry.index} is duplicated or out of order: a filtered bundle lists each entry once, in index order`);
    last = entry.index;
    const leaf = entry.body === null ? entry.leafHash : hashLeaf(entry.body);
    if (!leaf.equals(entry.leafHash)) return bad(entry.index, `entry ${entry.index} was altered: its bytes do not match its leaf hash`);
    const proof = (proofs.get(entry.index) ?? []).map(fromHex);
    if (!verifyInclusion(leaf, entry.index, signed.size, proof, signed.root)) {
      return bad(entry.index, `entry ${entry.index} is not in the log of checkpoint ${signed.size}: its inclusion proof fails`);
    }
    if (entry.body === null) {
      // Retention prunes a prefix of the log: a pruned entry after a kept one was blanked.
      if (kept) return bad(entry.index, `entry ${entry.index} has no payload but an older entry in the bundle does: retention prunes oldest first, so it was blanked`);
      report.prunedEntries += 1;
    } else {
      kept = true;
    }
    report.entries += 1;
  }
  report.bundle = { complete: false, treeSize: signed.size, notice: filteredNotice(report.entries, signed.size) };
  options.onProgress?.(report.entries);
  return report;
}

/** What a filtered bundle cannot show, said where it is read. */
export function filteredNotice(entries: number, treeSize: number): string {
  return `FILTERED bundle: ${entries} of ${treeSize} entries; entries left out are not detectable (each entry shown is proven, but not that the filter matched only these)`;
}

function newest<T extends { size: number }>(checkpoints: readonly T[]): T | undefined {
  return checkpoints.reduce<T | undefined>((best, cp) => (best === undefined || cp.size > best.size ? cp : best), undefined);
}

function failed(problem: VerificationProblem): VerificationReport {
  return { ok: false, entries: 0, prunedEntries: 0, checkpointsVerified: 0, verifiedSize: 0, unsignedTail: 0, problem };
}

/** The largest checkpoint size below `size`, or 0. */
function sizeBefore(checkpoints: ReadonlyArray<{ size: number }>, size: number): number {
  return checkpoints.reduce((best, cp) => (cp.size < size && cp.size > best ? cp.size : best), 0);
}

function toEntry(line: Extract<BundleLine, { type: 'entry' }>, proofs: Map<number, string[]>): VerifiableEntry {
  if (line.proof) proofs.set(line.index, line.proof);
  return { index: line.index, body: line.body, leafHash: fromHex(line.leafHash) };
}

const fromHex = (text: string) => Buffer.from(text, 'hex');

async function* numbered(lines: AsyncIterable<string>): AsyncGenerator<{ line: BundleLine; number: number }> {
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidInput(`line ${number}: not JSON`);
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) throw invalidInput(`line ${number}: not a bundle line (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    yield { line: parsed.data, number };
  }
}

/** Bundles carry their own verifier keys; an auditor should pin the log's real one instead. */
export async function bundleVerifierKeys(lines: AsyncIterable<string>): Promise<string[]> {
  // The same line checks as verifyBundle, so a bad first line gets the same message.
  const iterator = numbered(lines);
  try {
    const first = await iterator.next();
    if (first.done) throw invalidInput('the bundle is empty');
    if (first.value.line.type !== 'header') throw invalidInput('line 1: a bundle starts with its header');
    return first.value.line.verifierKeys;
  } finally {
    await iterator.return(undefined); // closes the file
  }
}
