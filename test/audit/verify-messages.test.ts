import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../src/audit/audit-logger.js';
import { bundleVerifierKeys, verifyBundle } from '../../src/audit/bundle.js';
import { storedVerifiers } from '../../src/audit/checkpoint-signer.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey, signNote, type NoteVerifier } from '../../src/audit/signed-note.js';
import { verifyStore } from '../../src/audit/verifier.js';
import type { Store } from '../../src/store/database.js';
import { tempDir } from '../support/services.js';

/**
 * What `audit verify` tells its user when the input, not the log, is wrong: a key that is
 * not the log's, a bundle without keys, a first line that is not JSON. None of these may
 * name a "first bad entry", and a real bad checkpoint must still be named as one.
 */
const event = (i: number) => ({ eventType: 'data_access', userId: i % 4 === 1 ? 'xavier' : `user-${i}`, result: 'success', additionalData: { row: i } });

/** Bundle lines as the CLI reads them from a file. */
async function* linesOf(lines: readonly string[]): AsyncGenerator<string> {
  for (const line of lines) yield line.replace(/\n$/, '');
}

/** The lines with each checkpoint note passed through `edit`. */
function editNotes(lines: readonly string[], edit: (note: string, size: number) => string): string[] {
  return lines.map((line) => {
    const parsed = JSON.parse(line);
    return parsed.type === 'checkpoint' ? JSON.stringify({ ...parsed, note: edit(parsed.note, parsed.size) }) : line;
  });
}

/** A note whose root line is changed: the log's own signature no longer matches it. */
const forgedRoot = (note: string) => note.replace(/^([^\n]*\n[^\n]*\n)[^\n]*/, `$1${Buffer.alloc(32, 7).toString('base64')}`);

describe('audit verify messages', () => {
  const dir = tempDir('verify-messages');
  let log: AuditLogger;
  let store: Store;
  let logKey: NoteVerifier;
  /** A valid Ed25519 key under the log's name, but not the log's. */
  const otherKey = parseVerifierKey(generateSignerKey('langtrain.local/audit').verifierKey);
  const complete: string[] = [];
  const filtered: string[] = [];

  beforeAll(async () => {
    // Checkpoints at 12 and 20, linked by a consistency proof in the bundle.
    log = new AuditLogger({ storeUrl: `sqlite:${join(dir.path, 'audit.db')}`, encryptionKey: `file:${join(dir.path, 'kek')}`, checkpointEvery: 1000 });
    await log.logEvents(Array.from({ length: 12 }, (_, i) => event(i)));
    await log.checkpoint();
    await log.logEvents(Array.from({ length: 8 }, (_, i) => event(12 + i)));
    await log.exportBundle({ write: (line) => void complete.push(line) });
    await log.exportBundle({ filter: { userId: 'xavier' }, write: (line) => void filtered.push(line) });
    store = await log.store();
    logKey = (await storedVerifiers(store.db))[0]!;
  });
  afterAll(async () => {
    await log.close();
    dir.cleanup();
  });

  /** A key's name and id as a pattern ('+' escaped). */
  const keyOf = (v: NoteVerifier) => `${v.name}\\+${v.keyId.toString('hex')}`;
  const wrongKeyProblem = () => ({
    reason: expect.stringMatching(new RegExp(`^no checkpoint is signed by the verifier key ${keyOf(otherKey)}: the checkpoints are signed by ${keyOf(logKey)}\\. Check that the key is this log's`)),
  });

  it('a clean bundle verifies under the log key', async () => {
    expect(await verifyBundle(linesOf(complete), { verifiers: [logKey] })).toMatchObject({ ok: true, checkpointsVerified: 2, verifiedSize: 20 });
  });

  describe('a valid key that is not the log\'s', () => {
    it('is reported as the wrong key for a complete bundle, naming both keys and no entry', async () => {
      const report = await verifyBundle(linesOf(complete), { verifiers: [otherKey] });
      expect(report).toMatchObject({ ok: false, problem: wrongKeyProblem() });
      expect(report.problem).not.toHaveProperty('index');
    });

    it('is reported as the wrong key for a filtered bundle', async () => {
      const report = await verifyBundle(linesOf(filtered), { verifiers: [otherKey] });
      expect(report).toMatchObject({ ok: false, problem: wrongKeyProblem() });
      expect(report.problem).not.toHaveProperty('index');
    });

    it('is reported as the wrong key for a store', async () => {
      const report = await verifyStore(store, { verifiers: [otherKey] });
      expect(report).toMatchObject({ ok: false, problem: wrongKeyProblem() });
      expect(report.problem).not.toHaveProperty('index');
    });

    it('is not blamed when the log key signs some checkpoints: the one it does not sign is named', async () => {
      const resigned = editNotes(complete, (note, size) => {
        if (size !== 20) return note;
        const impostor = parseSignerKey(generateSignerKey('langtrain.local/audit').signerKey);
        return signNote(note.slice(0, note.lastIndexOf('\n\n') + 1), impostor);
      });
      const report = await verifyBundle(linesOf(resigned), { verifiers: [logKey] });
      expect(report.problem).toEqual({ index: 12, checkpointSize: 20, reason: 'checkpoint 20 is not validly signed: signed note: no signature from a known key' });
    });
  });

  describe('a checkpoint with a bad signature by the log key', () => {
    it('names that one checkpoint, and the first entry the checkpoint before it does not cover', async () => {
      const later = await verifyBundle(linesOf(editNotes(complete, (note, size) => (size === 20 ? forgedRoot(note) : note))), { verifiers: [logKey] });
      expect(later.problem).toMatchObject({ index: 12, checkpointSize: 20, reason: expect.stringMatching(/^checkpoint 20 is not validly signed: signed note: invalid signature by /) });
      const earlier = await verifyBundle(linesOf(editNotes(complete, (note, size) => (size === 12 ? forgedRoot(note) : note))), { verifiers: [logKey] });
      expect(earlier.problem).toMatchObject({ index: 0, checkpointSize: 12, reason: expect.stringMatching(/^checkpoint 12 is not validly signed: /) });
    });
  });

  it('a filtered bundle without checkpoints fails naming no entry', async () => {
    const unsigned = filtered.filter((line) => !['checkpoint', 'consistency'].includes(JSON.parse(line).type));
    const report = await verifyBundle(linesOf(unsigned), { verifiers: [logKey] });
    expect(report).toMatchObject({ ok: false, problem: { reason: 'a filtered bundle needs a signed checkpoint' } });
    expect(report.problem).not.toHaveProperty('index');
  });

  it('a bundle without verifier keys is an input error, not a bad checkpoint', async () => {
    const keyless = complete.map((line, i) => (i === 0 ? JSON.stringify({ ...JSON.parse(line), verifierKeys: [] }) : line));
    const keys = (await bundleVerifierKeys(linesOf(keyless))).map((k) => parseVerifierKey(k));
    await expect(verifyBundle(linesOf(keyless), { verifiers: keys })).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', message: expect.stringContaining('--verifier-key') });
  });

  it("reading a bundle's keys reports a first line that is not JSON, or an empty bundle, as input errors", async () => {
    await expect(bundleVerifierKeys(linesOf(['not json']))).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'line 1: not JSON' });
    await expect(bundleVerifierKeys(linesOf([]))).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'the bundle is empty' });
    expect(await bundleVerifierKeys(linesOf(complete))).toEqual([logKey.verifierKey]);
  });
});
