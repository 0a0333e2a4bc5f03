import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../src/core/errors.js';
import {
  formatCheckpoint,
  generateSignerKey,
  noteSigners,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../src/audit/signed-note.js';

interface NoteVectors {
  reference: {
    verifierKey: string;
    signerKey: string;
    text: string;
    signedNote: string;
    ed25519PublicKeyHex: string;
    keyIDHex: string;
  };
  derived: { checkpointText: string; signedCheckpoint: string };
}

// shared/ sits beside the repository (here /work/shared, in CI a copy beside the clone).
const readVectors = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../shared/vectors/${name}`, import.meta.url), 'utf8'));
const { reference, derived } = readVectors('signed-note-c2sp.json') as NoteVectors;
const merkle = readVectors('merkle-rfc6962.json') as { tree: { rootBySize: Record<string, string> } };

const signer = parseSignerKey(reference.signerKey);
const verifier = parseVerifierKey(reference.verifierKey);

/** Asserts `fn` throws a LangtrainError with `code` and a message matching `message`. */
function expectError(fn: () => unknown, code: 'ERR_INVALID_INPUT' | 'ERR_SIGNATURE_INVALID', message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isLangtrainError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('signed note: reference vectors (golang.org/x/mod sumdb/note)', () => {
  it('parses the reference keys and derives the same key id and verifier key', () => {
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId.toString('hex')).toBe(reference.keyIDHex);
    expect(signer.verifierKey).toBe(reference.verifierKey);
    expect(verifier.name).toBe('PeterNeumann');
    expect(verifier.keyId.toString('hex')).toBe(reference.keyIDHex);
    expect(verifier.verifierKey).toBe(reference.verifierKey);
  });

  it('opens the reference note', () => {
    expect(openNote(reference.signedNote, [verifier])).toEqual({ text: reference.text, verifiedBy: ['PeterNeumann'] });
  });

  it('signing the reference text reproduces the reference note byte for byte', () => {
    expect(signNote(reference.text, signer)).toBe(reference.signedNote);
  });

  it('reproduces the derived checkpoint, which parses to the size-8 root of the merkle vectors', () => {
    const root = Buffer.from(merkle.tree.rootBySize['8'] ?? '', 'hex');
    const text = formatCheckpoint({ origin: 'example.com/audit-test-log', size: 8, root });
    expect(text).toBe(derived.checkpointText);
    expect(signNote(text, signer)).toBe(derived.signedCheckpoint);
    const opened = openNote(derived.signedCheckpoint, [verifier]);
    expect(parseCheckpoint(opened.text)).toEqual({ origin: 'example.com/audit-test-log', size: 8, root, extensions: [] });
  });
});

describe('signed note: sign and open', () => {
  it('roundtrips a generated key, and ignores signatures from unknown keys', () => {
    const keys = generateSignerKey('example.com/audit-log');
    const fresh = parseSignerKey(keys.signerKey);
    expect(fresh.verifierKey).toBe(keys.verifierKey);
    const text = 'hello\n\nworld\n'; // the text may hold blank lines of its own
    const note = signNote(text, fresh);
    expect(openNote(note, [parseVerifierKey(keys.verifierKey)])).toEqual({
      text,
      verifiedBy: ['example.com/audit-log'],
    });
    // Cosigned: one known and one unknown key; only the known one counts.
    const cosigned = note + signNote(text, signer).slice(text.length + 1);
    expect(openNote(cosigned, [verifier])).toEqual({ text, verifiedBy: ['PeterNeumann'] });
  });

  it('rejects a tampered text', () => {
    const tampered = reference.signedNote.replace('cryptography', 'cryptograph1');
    expectError(() => openNote(tampered, [verifier]), 'ERR_SIGNATURE_INVALID', /invalid signature by PeterNeumann/);
  });

  it('rejects a tampered signature', () => {
    const [body, sig = ''] = reference.signedNote.split('PeterNeumann ');
    const bytes = Buffer.from(sig.trimEnd(), 'base64');
    bytes[10] = (bytes[10] as number) ^ 1; // past the 4-byte key id, inside the signature
    const tampered = `${body}PeterNeumann ${bytes.toString('base64')}\n`;
    expectError(() => openNote(tampered, [verifier]), 'ERR_SIGNATURE_INVALID', /invalid signature/);
  });

  it('rejects a note no known key signed', () => {
    const other = parseVerifierKey(generateSignerKey('PeterNeumann').verifierKey); // same name, other key id
    expectError(() => openNote(reference.signedNote, [other]), 'ERR_SIGNATURE_INVALID', /no signature from a known key/);
    expectError(() => openNote(reference.signedNote, []), 'ERR_SIGNATURE_INVALID');
  });

  it('rejects a signature when the known name and key id come with a wrong key', () => {
    // Key ids are short on purpose (c2sp.org/signed-note): a colliding id must still
    // fail on the signature, and that failure rejects the whole note.
    const wrongKey = parseVerifierKey(generateSignerKey('PeterNeumann').verifierKey);
    const impostor = { ...verifier, verify: wrongKey.verify };
    expectError(() => openNote(reference.signedNote, [impostor]), 'ERR_SIGNATURE_INVALID', /invalid signature/);
  });

  it('names the keys that signed a note without checking the signatures; none for a malformed note', () => {
    const tampered = reference.signedNote.replace(reference.text, reference.text.toUpperCase());
    expect(noteSigners(tampered)).toEqual([`PeterNeumann+${reference.keyIDHex}`]);
    expect(noteSigners('text without signatures\n')).toEqual([]);
  });

  it('rejects malformed notes with a clear message', () => {
    const sigLine = reference.signedNote.slice(reference.text.length + 1);
    const cases: Array<[string, RegExp]> = [
      [reference.text, /no blank line/],
      [reference.signedNote.slice(0, -1), /must end with a newline/],
      [reference.text + '\n' + sigLine.replace('\u2014', '-'), /does not start with/],
      [reference.text + '\n' + sigLine.replace('PeterNeumann ', 'PeterNeumann'), /signature line 1 is not/],
      [reference.text + '\n' + sigLine.replace('=\n', '!\n'), /signature line 1 is not/],
      [reference.text + '\n' + '\u2014 PeterNeumann AAAA\n', /signature line 1 is not/],
      [reference.text.replace('\n', '\r\n') + '\n' + sigLine, /control characters/],
      [reference.signedNote + '\n', /must end with a newline|does not start with/],
    ];
    for (const [note, message] of cases) expectError(() => openNote(note, [verifier]), 'ERR_INVALID_INPUT', message);
  });

  it('refuses to sign text that is empty, unterminated or has control characters', () => {
    expectError(() => signNote('', signer), 'ERR_INVALID_INPUT', /non-empty/);
    expectError(() => signNote('no newline', signer), 'ERR_INVALID_INPUT', /end with a newline/);
    expectError(() => signNote('tab\there\n', signer), 'ERR_INVALID_INPUT', /control characters/);
  });
});

describe('signed note: keys', () => {
  it('rejects malformed and mismatched keys without echoing key material', () => {
    const [name, id, key] = reference.verifierKey.split('+') as [string, string, string];
    const badVerifierKeys: Array<[string, RegExp]> = [
      ['', /must be <name>\+<key id hex>\+<base64 key>/],
      [`${name}+${id}`, /must be <name>/],
      [`+${id}+${key}`, /key name/],
      [`${name}+c74f20a4+${key}`, /key id does not match/],
      [`${name}+c74f20+${key}`, /8 hex digits/],
      [`Peter Neumann+${id}+${key}`, /key name/],
      [`${name}+${id}+${key.slice(0, -1)}`, /Ed25519 key/],
      [`${name}+${id}+AB${key.slice(2)}`, /Ed25519 key/], // algorithm byte 0x00
    ];
    for (const [text, message] of badVerifierKeys) expectError(() => parseVerifierKey(text), 'ERR_INVALID_INPUT', message);

    const secret = reference.signerKey.split('+').at(-1) ?? '';
    const badSignerKeys = [
      reference.verifierKey,
      reference.signerKey.replace('c74f20a3', 'c74f20a4'),
      reference.signerKey.replace('PeterNeumann', 'PeterNeumanm'),
      `${reference.signerKey}x`,
    ];
    for (const text of badSignerKeys) {
      expectError(() => parseSignerKey(text), 'ERR_INVALID_INPUT');
      try {
        parseSignerKey(text);
      } catch (err) {
        expect((err as Error).message).not.toContain(secret);
      }
    }
  });

  it('generates keys only under valid names', () => {
    for (const name of ['', 'a+b', 'a b', 'a\tb', 'a\u00a0b']) {
      expectError(() => generateSignerKey(name), 'ERR_INVALID_INPUT', /key name/);
    }
  });
});

describe('checkpoint', () => {
  const root = Buffer.alloc(32, 7);
  const b64 = root.toString('base64');

  it('formats and parses extension lines', () => {
    const text = formatCheckpoint({ origin: 'example.com/log', size: 0, root, extensions: ['ext one'] });
    expect(text).toBe(`example.com/log\n0\n${b64}\next one\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: 'example.com/log', size: 0, root, extensions: ['ext one'] });
  });

  it('rejects checkpoints that are not strictly formed', () => {
    const cases: Array<[string, RegExp]> = [
      [`o\n8\n${b64}`, /end with a newline/],
      ['o\n8\n', /origin, size and root/],
      [`\n8\n${b64}\n`, /line 1/],
      [`o\n08\n${b64}\n`, /line 2/],
      [`o\n+8\n${b64}\n`, /line 2/],
      [`o\n8.0\n${b64}\n`, /line 2/],
      [`o\n99999999999999999999\n${b64}\n`, /line 2/],
      [`o\n8\n${b64.slice(0, -4)}\n`, /line 3/],
      [`o\n8\n${b64.replace('=', '')}\n`, /line 3/],
      [`o\n8\n${root.toString('hex')}\n`, /line 3/],
      [`o\n8\n${b64}\n\n`, /line 4/],
    ];
    for (const [text, message] of cases) expectError(() => parseCheckpoint(text), 'ERR_INVALID_INPUT', message);
  });

  it('refuses to format a bad origin, size or root', () => {
    expectError(() => formatCheckpoint({ origin: '', size: 1, root }), 'ERR_INVALID_INPUT', /origin/);
    expectError(() => formatCheckpoint({ origin: 'a\nb', size: 1, root }), 'ERR_INVALID_INPUT', /origin/);
    expectError(() => formatCheckpoint({ origin: 'o', size: -1, root }), 'ERR_INVALID_INPUT', /size/);
    expectError(() => formatCheckpoint({ origin: 'o', size: 1.5, root }), 'ERR_INVALID_INPUT', /size/);
    expectError(() => formatCheckpoint({ origin: 'o', size: 1, root: root.subarray(1) }), 'ERR_INVALID_INPUT', /root/);
    expectError(() => formatCheckpoint({ origin: 'o', size: 1, root, extensions: [''] }), 'ERR_INVALID_INPUT', /extension/);
  });
});
