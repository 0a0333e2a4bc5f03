import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { writeAtomically } from '../core/atomic-file.js';
import { LangtrainError, invalidInput } from '../core/errors.js';

/**
 * Streaming AES-256-GCM for large files (checkpoints, data set archives) in constant memory:
 * the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár, "Online Authenticated-
 * Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015) with the key derivation
 * and nonce layout of Google Tink's AesGcmHkdfStreaming (also the shape of age's payload).
 *
 * Layout (integers big-endian):
 *
 *   header, 48 bytes
 *      0  4  magic "LTS1"
 *      4  1  version = 1
 *      5  4  segment size S = plaintext bytes per segment, 4 KiB..16 MiB
 *      9 32  salt, random per stream
 *     41  7  nonce prefix, random per stream
 *   segment i = AES-256-GCM(segment key, nonce(i), AAD, plaintext) || 16-byte tag
 *     every segment but the last holds exactly S plaintext bytes; the last holds 1..S,
 *     or 0 only when the whole plaintext is empty (so each plaintext has one encoding)
 *
 *   segment key = HKDF-SHA256(ikm = data key, salt = header salt, info = SEGMENT_KEY_INFO)
 *   nonce(i)    = nonce prefix (7) || i as uint32 (4) || 0x01 if last segment else 0x00 (1)
 *   AAD         = header (48) || caller associated data
 *
 * Why:
 * - Index and last flag in the nonce (STREAM): a segment authenticates only at its own
 *   position, so reordering, duplicating or dropping segments fails; a stream cut at a segment
 *   boundary lacks a last-flag segment; anything after the last-flag segment is refused.
 * - Fresh key per stream from a random salt (Tink): one data key may encrypt any number of
 *   files without nonce reuse. A random 7-byte prefix alone would collide after ~2^28 streams
 *   (birthday bound), and a GCM nonce repeat under one key leaks the authentication key.
 * - 7 + 4 + 1 nonce bytes (Tink's layout): 2^32 segments per stream (16 TiB at the smallest
 *   segment size); longer streams are refused rather than wrapping the counter.
 * - Whole header in the AAD: magic, version and segment size are authenticated too, so a
 *   downgrade or resized segments fail authentication instead of being trusted. The header
 *   has a fixed length, so header || associated data is an unambiguous encoding.
 * - HKDF info label: separates this key from any other use of the same data key. (Tink puts
 *   the associated data in the HKDF info; here it is in every segment's AAD with the header,
 *   which binds it as firmly and keeps one derivation per stream whatever the context.)
 * - Segment size bounds: 4 KiB keeps the tag overhead under 0.4%; 16 MiB bounds what an
 *   unauthenticated header can make a decrypter allocate.
 *
 * A decrypting stream pushes each segment only after its tag verifies, but a later segment
 * can still fail (truncation, tampering): treat the output as untrusted until the stream
 * ends without error. `decryptFile` does this by renaming its output into place only then.
 */

const MAGIC = Buffer.from('LTS1', 'ascii');
const VERSION = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 32;
const NONCE_PREFIX_BYTES = 7;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SEGMENT_KEY_INFO = Buffer.from('langtrain stream-aead v1 AES-256-GCM segment key', 'ascii');
const MAX_SEGMENTS = 2 ** 32;

/** Bytes before the first segment. */
export const STREAM_HEADER_BYTES = MAGIC.length + 1 + 4 + SALT_BYTES + NONCE_PREFIX_BYTES;
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
export const MIN_SEGMENT_SIZE = 4 * 1024;
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;

export interface StreamDecryptOptions {
  /** The caller's 256-bit data key; each stream derives its own segment key from it. */
  key: Uint8Array;
  /** Context the ciphertext is bound to (file id, path); must match to decrypt. May be empty. */
  associatedData: Uint8Array;
}

export interface StreamEncryptOptions extends StreamDecryptOptions {
  /** Plaintext bytes per segment, 4 KiB..16 MiB; default 64 KiB. */
  segmentSize?: number;
}

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'must be a Uint8Array');
const decryptOptionsSchema = z
  .object({
    key: bytes.refine((key) => key.length === KEY_BYTES, `must be ${KEY_BYTES} bytes`),
    associatedData: bytes,
  })
  .strict();
const encryptOptionsSchema = z
  .object({
    ...decryptOptionsSchema.shape,
    segmentSize: z.number().int().min(MIN_SEGMENT_SIZE).max(MAX_SEGMENT_SIZE).default(DEFAULT_SEGMENT_SIZE),
  })
  .strict();

function parseOptions<T extends z.ZodType>(schema: T, options: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw invalidInput(`${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Length of the encrypted stream for a plaintext of `plaintextBytes`. */
export function encryptedSize(plaintextBytes: number, segmentSize: number = DEFAULT_SEGMENT_SIZE): number {
  const segments = Math.max(1, Math.ceil(plaintextBytes / segmentSize));
  return STREAM_HEADER_BYTES + plaintextBytes + segments * TAG_BYTES;
}

interface StreamHeader {
  segmentSize: number;
  salt: Buffer;
  noncePrefix: Buffer;
}

function encodeHeader({ segmentSize, salt, noncePrefix }: StreamHeader): Buffer {
  const header = Buffer.alloc(STREAM_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header[4] = VERSION;
  header.writeUInt32BE(segmentSize, 5);
  salt.copy(header, 9);
  noncePrefix.copy(header, 9 + SALT_BYTES);
  return header;
}

/** Parses fields only; authenticity comes from the header being every segment's AAD. */
function decodeHeader(header: Buffer): StreamHeader {
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new LangtrainError('ERR_CRYPTO_STREAM_HEADER_INVALID', 'not an encrypted stream: the magic bytes are not "LTS1"');
  }
  if (header[4] !== VERSION) {
    throw new LangtrainError('ERR_CRYPTO_STREAM_HEADER_INVALID', `unsupported stream version ${header[4]}`, { version: header[4] });
  }
  const segmentSize = header.readUInt32BE(5);
  if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
    throw new LangtrainError('ERR_CRYPTO_STREAM_HEADER_INVALID', `segment size ${segmentSize} is outside ${MIN_SEGMENT_SIZE}..${MAX_SEGMENT_SIZE}`, { segmentSize });
  }
  return {
    segmentSize,
    salt: Buffer.from(header.subarray(9, 9 + SALT_BYTES)),
    noncePrefix: Buffer.from(header.subarray(9 + SALT_BYTES, STREAM_HEADER_BYTES)),
  };
}

/** One stream's segment key, nonce prefix and AAD: seals and opens segment i. */
class SegmentCipher {
  private readonly key: KeyObject;
  private readonly aad: Buffer;
  private readonly noncePrefix: Buffer;

  constructor(dataKey: Uint8Array, header: Buffer, fields: StreamHeader, associatedData: Uint8Array) {
    const derived = Buffer.from(hkdfSync('sha256', dataKey, fields.salt, SEGMENT_KEY_INFO, KEY_BYTES));
    this.key = createSecretKey(derived); // copies the key, so the loose copy can be wiped
    derived.fill(0);
    this.aad = Buffer.concat([header, associatedData]);
    this.noncePrefix = fields.noncePrefix;
  }

  /** The segment as [ciphertext, tag]: pushed as two chunks to spare a segment-sized copy. */
  seal(index: number, last: boolean, plaintext: Buffer): [Buffer, Buffer] {
    const cipher = createCipheriv('aes-256-gcm', this.key, this.nonce(index, last), { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad);
    const ciphertext = cipher.update(plaintext);
    cipher.final(); // GCM has no buffered block: final() only computes the tag
    return [ciphertext, cipher.getAuthTag()];
  }

  /** The plaintext, or null when the tag does not verify at this position. */
  open(index: number, last: boolean, segment: Buffer): Buffer | null {
    const tagAt = segment.length - TAG_BYTES;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, this.nonce(index, last), { authTagLength: TAG_BYTES });
      decipher.setAAD(this.aad);
      decipher.setAuthTag(segment.subarray(tagAt));
      const plaintext = decipher.update(segment.subarray(0, tagAt));
      decipher.final();
      return plaintext;
    } catch {
      return null;
    }
  }

  private nonce(index: number, last: boolean): Buffer {
    const nonce = Buffer.alloc(NONCE_BYTES);
    this.noncePrefix.copy(nonce, 0);
    nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
    nonce[NONCE_BYTES - 1] = last ? 1 : 0;
    return nonce;
  }
}

/**
 * Holds exactly one segment. A full segment is released only when a further byte arrives,
 * because only then is it known not to be the last one; `flush` releases the last.
 */
class SegmentBuffer {
  private readonly buffer: Buffer;
  private filled = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.alloc(capacity);
  }

  get length(): number {
    return this.filled;
  }

  /** Copies `chunk` in, calling `release` with each full segment that more data follows. */
  fill(chunk: Buffer, release: (segment: Buffer) => void): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.filled === this.buffer.length) {
        release(this.buffer);
        this.filled = 0;
      }
      const copied = chunk.copy(this.buffer, this.filled, at);
      this.filled += copied;
      at += copied;
    }
  }

  /** The bytes held; valid until the next `fill`. */
  take(): Buffer {
    const held = this.buffer.subarray(0, this.filled);
    this.filled = 0;
    return held;
  }
}

function transformStep(step: () => void, done: TransformCallback): void {
  try {
    step();
    done();
  } catch (err) {
    done(err as Error);
  }
}

/** Encrypts a byte stream: writes the header, then one sealed segment per `segmentSize` bytes. */
export function createEncryptStream(options: StreamEncryptOptions): Transform {
  const { key, associatedData, segmentSize } = parseOptions(encryptOptionsSchema, options, 'createEncryptStream');
  const fields: StreamHeader = { segmentSize, salt: randomBytes(SALT_BYTES), noncePrefix: randomBytes(NONCE_PREFIX_BYTES) };
  const header = encodeHeader(fields);
  const cipher = new SegmentCipher(key, header, fields, associatedData);
  const pending = new SegmentBuffer(segmentSize);
  let index = 0;
  let headerSent = false;

  const seal = (stream: Transform, segment: Buffer, last: boolean): void => {
    if (!headerSent) {
      stream.push(header);
      headerSent = true;
    }
    if (index >= MAX_SEGMENTS) {
      throw invalidInput(`stream too long: more than ${MAX_SEGMENTS} segments of ${segmentSize} bytes`, { segmentSize });
    }
    const [ciphertext, tag] = cipher.seal(index, last, segment);
    stream.push(ciphertext);
    stream.push(tag);
    index += 1;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      transformStep(() => pending.fill(chunk, (segment) => seal(this, segment, false)), done);
    },
    flush(done) {
      // An empty input still yields the header and one empty last segment.
      transformStep(() => seal(this, pending.take(), true), done);
    },
  });
}

function authenticationFailed(segment: number): LangtrainError {
  return new LangtrainError(
    'ERR_CRYPTO_DECRYPT_FAILED',
    `segment ${segment} failed authentication: wrong key or associated data, or the stream was altered, reordered or cut inside a segment`,
    { segment, reason: 'authentication' },
  );
}

function truncated(message: string, segment: number): LangtrainError {
  return new LangtrainError('ERR_CRYPTO_STREAM_TRUNCATED', message, { segment });
}

/**
 * Decrypts a stream made by `createEncryptStream`, pushing each segment's plaintext only after
 * its tag verifies. Fails with `ERR_CRYPTO_STREAM_HEADER_INVALID` (not this format or version),
 * `ERR_CRYPTO_STREAM_TRUNCATED` (ends before its last segment) or `ERR_CRYPTO_DECRYPT_FAILED`
 * (wrong key or associated data, altered/reordered/dropped segments, data after the end).
 * A stream cut at a segment boundary is provably truncated; a cut inside a segment loses that
 * segment's tag and so cannot be told from an altered segment: it is `ERR_CRYPTO_DECRYPT_FAILED`
 * (unless fewer bytes than a tag remain). `details.segment` names the failing segment and
 * `details.reason` is `authentication`, `trailing-data` or `non-canonical`.
 */
export function createDecryptStream(options: StreamDecryptOptions): Transform {
  const { key, associatedData } = parseOptions(decryptOptionsSchema, options, 'createDecryptStream');
  const headerBuffer = new SegmentBuffer(STREAM_HEADER_BYTES);
  let stream: { cipher: SegmentCipher; pending: SegmentBuffer; fullSegment: number } | null = null;
  let index = 0;

  const start = (header: Buffer): NonNullable<typeof stream> => {
    const fields = decodeHeader(header);
    const fullSegment = fields.segmentSize + TAG_BYTES;
    return { cipher: new SegmentCipher(key, header, fields, associatedData), pending: new SegmentBuffer(fullSegment), fullSegment };
  };

  // A full segment with data after it must open as a middle (not-last) segment. If it opens
  // only as the last one, the stream goes on after its end (age's payload reader checks the same).
  const openMiddle = (out: Transform, cipher: SegmentCipher, segment: Buffer): void => {
    const plaintext = cipher.open(index, false, segment);
    if (plaintext === null) {
      if (cipher.open(index, true, segment) !== null) {
        throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `data follows the last segment (${index})`, { segment: index, reason: 'trailing-data' });
      }
      throw authenticationFailed(index);
    }
    index += 1;
    if (index === MAX_SEGMENTS) throw authenticationFailed(index); // no valid stream has a segment with this index
    out.push(plaintext);
  };

  const openLast = (out: Transform, cipher: SegmentCipher, fullSegment: number, segment: Buffer): void => {
    if (segment.length < TAG_BYTES) throw truncated(`the stream ends inside segment ${index}`, index);
    const plaintext = cipher.open(index, true, segment);
    if (plaintext === null) {
      // Opening it as a middle segment tells a stream cut at a segment boundary from a forged
      // one. A cut inside a segment removes its tag, so it cannot be told from an alteration.
      if (segment.length === fullSegment && cipher.open(index, false, segment) !== null) {
        throw truncated(`the stream ends after segment ${index}, which is not the last one`, index + 1);
      }
      throw authenticationFailed(index);
    }
    if (plaintext.length === 0 && index > 0) {
      // Only the empty plaintext has an empty last segment: one encoding per plaintext.
      throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `segment ${index} is an empty last segment after data`, { segment: index, reason: 'non-canonical' });
    }
    out.push(plaintext);
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      transformStep(() => {
        let rest = chunk;
        if (stream === null) {
          const needed = STREAM_HEADER_BYTES - headerBuffer.length;
          headerBuffer.fill(rest.subarray(0, needed), () => undefined); // never full before this call ends
          rest = rest.subarray(needed);
          if (headerBuffer.length < STREAM_HEADER_BYTES) return;
          stream = start(Buffer.from(headerBuffer.take()));
        }
        const { cipher } = stream;
        stream.pending.fill(rest, (segment) => openMiddle(this, cipher, segment));
      }, done);
    },
    flush(done) {
      transformStep(() => {
        if (stream === null) throw truncated('the stream ends inside its header', 0);
        openLast(this, stream.cipher, stream.fullSegment, stream.pending.take());
      }, done);
    },
  });
}

/**
 * Encrypts `inPath` to `outPath` (mode 0600). The output appears, by rename, only when complete;
 * on any failure nothing is left behind and an existing `outPath` is untouched.
 */
export async function encryptFile(inPath: string, outPath: string, options: StreamEncryptOptions): Promise<void> {
  const encrypt = createEncryptStream(options); // options are checked before the disk is touched
  await writeAtomically(outPath, (out) => pipeline(createReadStream(inPath), encrypt, out));
}

/**
 * Decrypts `inPath` to `outPath` (mode 0600). The output appears, by rename, only once every
 * segment verified and the last one was seen; on any failure nothing is left behind and an
 * existing `outPath` is untouched. Errors as for `createDecryptStream`.
 */
export async function decryptFile(inPath: string, outPath: string, options: StreamDecryptOptions): Promise<void> {
  const decrypt = createDecryptStream(options);
  await writeAtomically(outPath, (out) => pipeline(createReadStream(inPath), decrypt, out));
}
