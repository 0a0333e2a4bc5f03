import type { Store } from '../store/database.js';
import { z } from 'zod';
import { invalidInput } from '../core/errors.js';
import { openCheckpoint } from './checkpoint-signer.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from './merkle.js';
import type { PayloadSealer } from './payload-seal.js';
import { queryEntries, type AuditQuery } from './query.js';
import type { NoteVerifier } from './signed-note.js';
import { listCheckpoints, readConsistencyProof, readInclusionProof, readSize } from './tree-store.js';
import {
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
  const treeSize = complete ? await readSize(db) : (head?.size ?? 0);
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
    for await (const entry of storedEntries(db)) {
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

  const wrongKey = verifierKeyMismatch(checkpoints, options.verifiers);
  if (wrongKey) return failed(wrongKey);

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
  }

  if (header.complete) return verifyEntries(entries(), checkpoints, { verifiers: options.verifiers, onProgress: options.onProgress });
  return verifyProvenEntries(entries(), checkpoints.at(-1), proofs, options);
}

async function verifyProvenEntries(
  entries: AsyncIterable<VerifiableEntry>,
  head: { size: number; note: string } | undefined,
  proofs: Map<number, string[]>,
  options: BundleVerifyOptions,
): Promise<VerificationReport> {
  const report: VerificationReport = { ok: true, entries: 0, prunedEntries: 0, checkpointsVerified: 0, verifiedSize: 0, unsignedTail: 0 };
  // Without a checkpoint nothing in the bundle can be checked; no entry is at fault.
  if (!head) return failed({ reason: 'a filtered bundle needs a signed checkpoint' });
  let signed;
  try {
    signed = openCheckpoint(head.note, options.verifiers);
  } catch (err) {
    return failed({ index: 0, checkpointSize: head.size, reason: `checkpoint ${head.size} is not validly signed: ${(err as Error).message}` });
  }
  report.checkpointsVerified = 1;
  report.verifiedSize = signed.size;
  for await (const entry of entries) {
    const leaf = entry.body === null ? entry.leafHash : hashLeaf(entry.body);
    if (!leaf.equals(entry.leafHash)) return { ...report, ok: false, problem: { index: entry.index, reason: `entry ${entry.index} was altered: its bytes do not match its leaf hash` } };
    const proof = (proofs.get(entry.index) ?? []).map(fromHex);
    if (!verifyInclusion(leaf, entry.index, signed.size, proof, signed.root)) {
      return { ...report, ok: false, problem: { index: entry.index, reason: `entry ${entry.index} is not in the log of checkpoint ${signed.size}: its inclusion proof fails` } };
    }
    if (entry.body === null) report.prunedEntries += 1;
    report.entries += 1;
  }
  options.onProgress?.(report.entries);
  return report;
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
