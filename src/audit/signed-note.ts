import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { LangtrainError, invalidInput } from '../core/errors.js';

/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, and the tlog-checkpoint
 * note text (c2sp.org/tlog-checkpoint). The formats match golang.org/x/mod/sumdb/note
 * byte for byte, so checkpoints can be checked by the Go transparency tooling and
 * witnesses.
 */

/** Signs note texts under a C2SP key name and key id. */
export interface NoteSigner {
  readonly name: string;
  /** 4-byte key id: SHA-256(name || 0x0A || 0x01 || public key)[:4]. */
  readonly keyId: Buffer;
  /** Ed25519 signature of `msg` (the note text as UTF-8). */
  sign(msg: Buffer): Buffer;
  /** The matching verifier key, `<name>+<keyid hex>+<base64(0x01 || public key)>`. */
  readonly verifierKey: string;
}

/** Checks signatures made by one C2SP key. */
export interface NoteVerifier {
  readonly name: string;
  /** 4-byte key id, as in {@link NoteSigner.keyId}. */
  readonly keyId: Buffer;
  /** True when `sig` is a valid Ed25519 signature of `msg`; never throws. */
  verify(msg: Buffer, sig: Buffer): boolean;
  readonly verifierKey: string;
}

/** A tlog-checkpoint: a log's commitment to its Merkle tree head at `size`. */
export interface Checkpoint {
  /** Identifies the log, e.g. `example.com/audit-log`. */
  origin: string;
  size: number;
  /** RFC 6962 root of the first `size` leaves (32 bytes). */
  root: Buffer;
  /** Opaque non-empty lines after the root; not auditable, so best left empty. */
  extensions: string[];
}

/** Signature type byte for Ed25519 (c2sp.org/signed-note "Signature types"). */
const ALG_ED25519 = 0x01;
const KEY_LENGTH = 32;
const ROOT_LENGTH = 32;
const SIGNATURE_LENGTH = 64;
const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
/** Go's reference implementation stops at 100; the spec asks to accept at least 16. */
const MAX_SIGNATURES = 100;

/*
 * Node (20) imports Ed25519 keys only in DER, PEM or JWK, not as the raw 32 bytes of
 * RFC 8032. The DER encodings of an Ed25519 key have a fixed prefix (RFC 8410), so
 * prefixing the raw bytes gives a PKCS#8 / SPKI document without an ASN.1 library.
 */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function ed25519PrivateKey(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function ed25519PublicKey(publicKey: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

/**
 * Key names: non-empty, no Unicode space, no '+' (the key encoding's separator). JS
 * `\s` misses U+0085, which Go's unicode.IsSpace (the reference) counts as a space.
 */
function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s\u0085+]/u.test(name) && isWellFormedUtf16(name);
}

/** Lone surrogates would not survive UTF-8 encoding, so the signed bytes would differ. */
function isWellFormedUtf16(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

/** RFC 4648 §4 base64 with padding, canonical only: Buffer.from alone skips junk. */
function decodeBase64(text: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function computeKeyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ALG_ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

function encodeKey(name: string, keyId: Buffer, key: Buffer): string {
  return `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), key]).toString('base64')}`;
}

/**
 * Splits `<name>+<keyid hex>+<base64(0x01 || key32)>` and checks each part; the key id
 * is checked by the caller, which knows the public key.
 */
function parseKeyParts(text: string, what: string): { name: string; keyId: Buffer; key: Buffer } {
  const parts = text.split('+');
  if (parts.length < 3) throw invalidInput(`${what}: must be <name>+<key id hex>+<base64 key>`);
  // Standard base64 may itself contain '+', so the key is everything after the id.
  const [name = '', idHex = ''] = parts;
  const encoded = decodeBase64(parts.slice(2).join('+'));
  if (!isValidKeyName(name)) throw invalidInput(`${what}: key name must be non-empty, without "+" or whitespace`);
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw invalidInput(`${what}: key id must be 8 hex digits`);
  if (encoded === undefined || encoded.length !== 1 + KEY_LENGTH || encoded[0] !== ALG_ED25519) {
    throw invalidInput(`${what}: key must be base64 of 0x01 and a 32-byte Ed25519 key`);
  }
  return { name, keyId: Buffer.from(idHex, 'hex'), key: encoded.subarray(1) };
}

/**
 * Parses a signer key, `PRIVATE+KEY+<name>+<keyid hex>+<base64(0x01 || seed32)>`.
 *
 * @throws LangtrainError `ERR_INVALID_INPUT` when malformed or the key id does not
 *   belong to the key. The message never contains key material.
 */
export function parseSignerKey(text: string): NoteSigner {
  const prefix = 'PRIVATE+KEY+';
  if (typeof text !== 'string' || !text.startsWith(prefix)) throw invalidInput(`signer key: must start with ${prefix}`);
  const { name, keyId, key: seed } = parseKeyParts(text.slice(prefix.length), 'signer key');
  const privateKey = ed25519PrivateKey(seed);
  const publicKey = rawPublicKey(privateKey);
  if (!computeKeyId(name, publicKey).equals(keyId)) throw invalidInput('signer key: key id does not match the key');
  return {
    name,
    keyId,
    sign: (msg) => cryptoSign(null, msg, privateKey),
    verifierKey: encodeKey(name, keyId, publicKey),
  };
}

/**
 * Parses a verifier key, `<name>+<keyid hex>+<base64(0x01 || public key32)>`.
 *
 * @throws LangtrainError `ERR_INVALID_INPUT` when malformed or the key id does not
 *   belong to the key.
 */
export function parseVerifierKey(text: string): NoteVerifier {
  if (typeof text !== 'string') throw invalidInput('verifier key: must be a string');
  const { name, keyId, key } = parseKeyParts(text, 'verifier key');
  if (!computeKeyId(name, key).equals(keyId)) throw invalidInput('verifier key: key id does not match the key');
  let publicKey: KeyObject;
  try {
    publicKey = ed25519PublicKey(key);
  } catch (cause) {
    throw new LangtrainError('ERR_INVALID_INPUT', 'verifier key: not an Ed25519 public key', {}, { cause });
  }
  return {
    name,
    keyId,
    verify(msg, sig) {
      if (!Buffer.isBuffer(sig) || sig.length !== SIGNATURE_LENGTH) return false;
      try {
        return cryptoVerify(null, msg, publicKey, sig);
      } catch {
        return false;
      }
    },
    verifierKey: encodeKey(name, keyId, key),
  };
}

/**
 * Generates a fresh Ed25519 key pair under `name`, encoded as C2SP signer and verifier
 * keys. The signer key is a secret.
 *
 * @throws LangtrainError `ERR_INVALID_INPUT` for an empty name or one with '+' or a space.
 */
export function generateSignerKey(name: string): { signerKey: string; verifierKey: string } {
  if (typeof name !== 'string' || !isValidKeyName(name)) {
    throw invalidInput('key name must be non-empty, without "+" or whitespace');
  }
  // RFC 8032 private keys are 32 uniformly random bytes; no clamping here, it is done
  // when the key is used.
  const seed = randomBytes(KEY_LENGTH);
  const keyId = computeKeyId(name, rawPublicKey(ed25519PrivateKey(seed)));
  const signerKey = `PRIVATE+KEY+${encodeKey(name, keyId, seed)}`;
  return { signerKey, verifierKey: parseSignerKey(signerKey).verifierKey };
}

/** Valid UTF-8 (as a string: no lone surrogates) and no ASCII control but newline. */
function isNoteSafe(text: string): boolean {
  return !/[\u0000-\u0009\u000b-\u001f]/.test(text) && isWellFormedUtf16(text);
}

/**
 * Signs `text` and returns the note: the text, a blank line, and one signature line
 * `— <name> <base64(keyId || signature)>`.
 *
 * @throws LangtrainError `ERR_INVALID_INPUT` when the text is empty, does not end with
 *   a newline, or has control characters other than newline.
 */
export function signNote(text: string, signer: NoteSigner): string {
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n')) {
    throw invalidInput('note text must be non-empty and end with a newline');
  }
  if (!isNoteSafe(text)) throw invalidInput('note text must be valid UTF-8 without control characters but newline');
  if (!isValidKeyName(signer.name) || signer.keyId.length !== 4) throw invalidInput('signer has a malformed name or key id');
  const signature = signer.sign(Buffer.from(text, 'utf8'));
  const encoded = Buffer.concat([signer.keyId, signature]).toString('base64');
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${encoded}\n`;
}

function malformedNote(reason: string): LangtrainError {
  return invalidInput(`malformed signed note: ${reason}`);
}

/** One signature line of a note, parsed but not checked. */
interface NoteSignature {
  name: string;
  keyId: Buffer;
  signature: Buffer;
  /** `signature line N`, for messages. */
  where: string;
}

/**
 * Splits a note into its text and its signature lines, checking the format only.
 *
 * @throws LangtrainError `ERR_INVALID_INPUT` for a malformed note.
 */
function splitNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (typeof note !== 'string' || !isNoteSafe(note)) {
    throw malformedNote('must be valid UTF-8 without control characters but newline');
  }
  // The text may itself hold blank lines; the signatures follow the last one.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformedNote('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformedNote('signature block must end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformedNote(`more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => {
    const where = `signature line ${i + 1}`;
    if (!line.startsWith(SIGNATURE_PREFIX)) throw malformedNote(`${where} does not start with "— "`);
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    const sig = space < 0 ? undefined : decodeBase64(rest.slice(space + 1));
    if (!isValidKeyName(name) || sig === undefined || sig.length < 5) {
      throw malformedNote(`${where} is not "— <key name> <base64 signature>"`);
    }
    return { name, keyId: sig.subarray(0, 4), signature: sig.subarray(4), where };
  });
  return { text, signatures };
}

/**
 * Opens a signed note: returns its text once at least one signature from `verifiers`
 * checks out. Signatures from unknown keys (name and key id not both matching) are
 * ignored, as the spec requires, so other parties can cosign.
 *
 * @throws LangtrainError `ERR_INVALID_INPUT` for a malformed note;
 *   `ERR_SIGNATURE_INVALID` when a known key's signature fails or no known key signed.
 */
export function openNote(note: string, verifiers: NoteVerifier[]): { text: string; verifiedBy: string[] } {
  const { text, signatures } = splitNote(note);
  const message = Buffer.from(text, 'utf8');
  const verifiedBy: string[] = [];
  for (const { name, keyId, signature, where } of signatures) {
    const verifier = verifiers.find((v) => v.name === name && v.keyId.equals(keyId));
    if (verifier === undefined) continue;
    if (!verifier.verify(message, signature)) {
      // A bad signature from a key we trust means tampering or a broken signer: the
      // spec says SHOULD reject the whole note, and we do.
      throw new LangtrainError('ERR_SIGNATURE_INVALID', `signed note: invalid signature by ${name} (${where})`, {
        keyName: name,
      });
    }
    if (!verifiedBy.includes(name)) verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) {
    throw new LangtrainError('ERR_SIGNATURE_INVALID', 'signed note: no signature from a known key', {
      knownKeys: verifiers.map((v) => v.name),
    });
  }
  return { text, verifiedBy };
}

/**
 * The keys that signed a note, as `<name>+<key id hex>` (the start of their verifier
 * keys), without checking any signature: enough to tell "signed by another key" from
 * "a signature does not match". Empty for a malformed note.
 */
export function noteSigners(note: string): string[] {
  try {
    return splitNote(note).signatures.map((s) => keyNameAndId(s));
  } catch {
    return [];
  }
}

/** `<name>+<key id hex>`: names a key as its signatures and verifier key do, without the key itself. */
export function keyNameAndId(key: { name: string; keyId: Buffer }): string {
  return `${key.name}+${key.keyId.toString('hex')}`;
}

/**
 * The note text of a checkpoint: origin, decimal size, base64 root, then any
 * extension lines, each ending in a newline.
 *
 * @throws LangtrainError `ERR_INVALID_INPUT` for an empty or multi-line origin, a size
 *   that is not a non-negative safe integer, a root that is not 32 bytes, or an empty
 *   or multi-line extension.
 */
export function formatCheckpoint(checkpoint: {
  origin: string;
  size: number;
  root: Buffer;
  extensions?: readonly string[];
}): string {
  const { origin, size, root, extensions = [] } = checkpoint;
  if (typeof origin !== 'string' || origin.length === 0 || origin.includes('\n')) {
    throw invalidInput('checkpoint origin must be one non-empty line');
  }
  if (!Number.isSafeInteger(size) || size < 0) throw invalidInput('checkpoint size must be a non-negative integer');
  if (!Buffer.isBuffer(root) || root.length !== ROOT_LENGTH) throw invalidInput('checkpoint root must be 32 bytes');
  if (extensions.some((line) => line.length === 0 || line.includes('\n'))) {
    throw invalidInput('checkpoint extension lines must be non-empty single lines');
  }
  return [origin, String(size), root.toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
}

/**
 * Parses checkpoint note text (as returned by {@link openNote}), strictly: a decimal
 * size without leading zeros and a canonical base64 32-byte root.
 *
 * @throws LangtrainError `ERR_INVALID_INPUT` naming the first line that is wrong.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw invalidInput('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin = '', sizeText = '', rootText = '', ...extensions] = lines;
  if (lines.length < 3) throw invalidInput('checkpoint needs origin, size and root lines');
  if (origin.length === 0) throw invalidInput('checkpoint line 1: origin is empty');
  const size = Number(sizeText);
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(size)) {
    throw invalidInput('checkpoint line 2: size must be a decimal integer without leading zeros');
  }
  const root = decodeBase64(rootText);
  if (root === undefined || root.length !== ROOT_LENGTH) throw invalidInput('checkpoint line 3: root must be base64 of 32 bytes');
  const empty = extensions.findIndex((line) => line.length === 0);
  if (empty >= 0) throw invalidInput(`checkpoint line ${empty + 4}: extension lines must be non-empty`);
  return { origin, size, root, extensions };
}
