import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/core/errors.js';
import {
  DEFAULT_SEGMENT_SIZE,
  STREAM_HEADER_BYTES,
  createDecryptStream,
  createEncryptStream,
  decryptFile,
  encryptFile,
  encryptedSize,
} from '../../src/crypto/stream-aead.js';

const SEG = 4096;
const TAG = 16;
const FULL = SEG + TAG;
const HDR = STREAM_HEADER_BYTES;
const key = randomBytes(32);
const ad = Buffer.from('checkpoints/run-7/step-1000.safetensors');
const SIZES = [0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG, 5 * SEG + 123];

/** Feeds `input` in `chunkSize` pieces; resolves with everything pushed, or rejects. */
async function run(transform: Transform, input: Buffer, chunkSize = 65_536): Promise<Buffer> {
  const { out, error } = await runCollecting(transform, input, chunkSize);
  if (error !== undefined) throw error;
  return out;
}

/** Also returns what was pushed before a failure: the plaintext a consumer saw. */
async function runCollecting(transform: Transform, input: Buffer, chunkSize = 65_536): Promise<{ out: Buffer; error: unknown }> {
  const pieces: Buffer[] = [];
  function* chunks() {
    for (let at = 0; at < input.length; at += chunkSize) yield input.subarray(at, at + chunkSize);
  }
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      pieces.push(chunk);
      done();
    },
  });
  try {
    await pipeline(Readable.from(chunks()), transform, sink);
    return { out: Buffer.concat(pieces), error: undefined };
  } catch (error) {
    return { out: Buffer.concat(pieces), error };
  }
}

const encrypt = (plaintext: Buffer, chunkSize?: number, segmentSize = SEG) =>
  run(createEncryptStream({ key, associatedData: ad, segmentSize }), plaintext, chunkSize);
const decrypt = (ciphertext: Buffer, options: { key?: Buffer; associatedData?: Buffer } = {}, chunkSize?: number) =>
  run(createDecryptStream({ key: options.key ?? key, associatedData: options.associatedData ?? ad }), ciphertext, chunkSize);

const failure = (code: ErrorCode, details: Record<string, unknown> = {}) =>
  expect.objectContaining({ name: 'LangtrainError', code, details: expect.objectContaining(details) });

const flip = (data: Buffer, at: number) => {
  const copy = Buffer.from(data);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
};
/** Byte offset of segment i in a stream with segment size SEG. */
const segmentAt = (i: number) => HDR + i * FULL;
const segment = (ct: Buffer, i: number) => ct.subarray(segmentAt(i), Math.min(segmentAt(i + 1), ct.length));

describe('stream AEAD round trips', () => {
  for (const size of SIZES) {
    it(`${size} bytes through the streams, in 64 KiB, 1000-byte and odd chunks`, async () => {
      const plaintext = randomBytes(size);
      const ciphertext = await encrypt(plaintext);
      expect(ciphertext.length).toBe(encryptedSize(size, SEG));
      expect((await decrypt(ciphertext)).equals(plaintext)).toBe(true);
      expect((await decrypt(ciphertext, {}, 1000)).equals(plaintext)).toBe(true);
      expect((await decrypt(await encrypt(plaintext, 777), {}, 4113)).equals(plaintext)).toBe(true);
    });
  }

  it('handles one-byte writes on both sides', async () => {
    const plaintext = randomBytes(2 * SEG + 5);
    const ciphertext = await encrypt(plaintext, 1);
    expect((await decrypt(ciphertext, {}, 1)).equals(plaintext)).toBe(true);
  });

  it('uses a 64 KiB default segment size and accepts 4 KiB..16 MiB', async () => {
    const ciphertext = await run(createEncryptStream({ key, associatedData: ad }), randomBytes(DEFAULT_SEGMENT_SIZE + 1));
    expect(ciphertext.readUInt32BE(5)).toBe(64 * 1024);
    expect(ciphertext.length).toBe(encryptedSize(DEFAULT_SEGMENT_SIZE + 1));
    const big = randomBytes(100);
    const sixteen = await encrypt(big, undefined, 16 * 1024 * 1024);
    expect((await decrypt(sixteen)).equals(big)).toBe(true);
  });

  it('gives each stream a fresh salt and nonce prefix', async () => {
    const plaintext = Buffer.from('same plaintext, same key');
    const [a, b] = [await encrypt(plaintext), await encrypt(plaintext)];
    expect(a.subarray(9, HDR).equals(b.subarray(9, HDR))).toBe(false);
    expect(a.subarray(HDR).equals(b.subarray(HDR))).toBe(false);
  });

  it('follows the documented layout (decoded here with node:crypto alone)', async () => {
    const plaintext = randomBytes(2 * SEG + 10);
    const ct = await encrypt(plaintext);
    expect(ct.subarray(0, 4).toString('ascii')).toBe('LTS1');
    expect(ct[4]).toBe(1);
    expect(ct.readUInt32BE(5)).toBe(SEG);
    const segmentKey = Buffer.from(hkdfSync('sha256', key, ct.subarray(9, 41), Buffer.from('langtrain stream-aead v1 AES-256-GCM segment key'), 32));
    const prefix = ct.subarray(41, 48);
    const aad = Buffer.concat([ct.subarray(0, HDR), ad]);
    const opened = [0, 1, 2].map((i) => {
      const nonce = Buffer.concat([prefix, Buffer.from([0, 0, 0, i, i === 2 ? 1 : 0])]);
      const body = segment(ct, i);
      const decipher = createDecipheriv('aes-256-gcm', segmentKey, nonce);
      decipher.setAAD(aad);
      decipher.setAuthTag(body.subarray(body.length - TAG));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG)), decipher.final()]);
    });
    expect(Buffer.concat(opened).equals(plaintext)).toBe(true);
  });

  it('rejects bad options at the door', () => {
    const bad = [
      { key: randomBytes(31), associatedData: ad },
      { key: 'k'.repeat(32), associatedData: ad },
      { key, associatedData: 'text' },
      { key, associatedData: ad, segmentSize: 4095 },
      { key, associatedData: ad, segmentSize: 16 * 1024 * 1024 + 1 },
      { key, associatedData: ad, segmentSize: 5000.5 },
      { key, associatedData: ad, segmentsize: 8192 },
    ];
    for (const options of bad) {
      expect(() => createEncryptStream(options as never)).toThrow(failure('ERR_INVALID_INPUT'));
    }
    expect(() => createDecryptStream({ key: randomBytes(16), associatedData: ad })).toThrow(failure('ERR_INVALID_INPUT'));
  });
});

interface TamperCase {
  name: string;
  /** Builds the altered stream from `base` (3 full segments and a 100-byte last one) or `even` (2 full segments, the last one full). */
  make: (base: Buffer, even: Buffer) => Buffer;
  code: ErrorCode;
  details?: Record<string, unknown>;
}

const T: ErrorCode = 'ERR_CRYPTO_STREAM_TRUNCATED';
const D: ErrorCode = 'ERR_CRYPTO_DECRYPT_FAILED';
const H: ErrorCode = 'ERR_CRYPTO_STREAM_HEADER_INVALID';
const auth = (segment: number) => ({ segment, reason: 'authentication' });

const tamperCases: TamperCase[] = [
  { name: 'header: magic byte flipped', make: (b) => flip(b, 0), code: H },
  { name: 'header: version byte flipped', make: (b) => flip(b, 4), code: H },
  { name: 'header: segment size out of range', make: (b) => flip(b, 5), code: H },
  { name: 'header: segment size changed within range', make: (b) => flip(b, 8), code: D, details: { reason: 'authentication' } },
  { name: 'header: salt byte flipped', make: (b) => flip(b, 20), code: D, details: auth(0) },
  { name: 'header: nonce prefix byte flipped', make: (b) => flip(b, 44), code: D, details: auth(0) },
  { name: 'ciphertext byte flipped in segment 0', make: (b) => flip(b, segmentAt(0) + 7), code: D, details: auth(0) },
  { name: 'ciphertext byte flipped in a middle segment', make: (b) => flip(b, segmentAt(2) + 4000), code: D, details: auth(2) },
  { name: 'ciphertext byte flipped in the last segment', make: (b) => flip(b, segmentAt(3)), code: D, details: auth(3) },
  { name: 'tag byte flipped in a middle segment', make: (b) => flip(b, segmentAt(2) - 1), code: D, details: auth(1) },
  { name: 'tag byte flipped in the last segment', make: (b) => flip(b, b.length - 5), code: D, details: auth(3) },
  {
    name: 'segments 0 and 1 swapped',
    make: (b) => Buffer.concat([b.subarray(0, HDR), segment(b, 1), segment(b, 0), b.subarray(segmentAt(2))]),
    code: D,
    details: auth(0),
  },
  {
    name: 'segment 1 duplicated',
    make: (b) => Buffer.concat([b.subarray(0, segmentAt(2)), segment(b, 1), b.subarray(segmentAt(2))]),
    code: D,
    details: auth(2),
  },
  {
    name: 'middle segment dropped',
    make: (b) => Buffer.concat([b.subarray(0, segmentAt(1)), b.subarray(segmentAt(2))]),
    code: D,
    details: auth(1),
  },
  { name: 'last segment dropped', make: (b) => b.subarray(0, segmentAt(3)), code: T, details: { segment: 3 } },
  { name: 'last full segment dropped', make: (_b, e) => e.subarray(0, segmentAt(1)), code: T, details: { segment: 1 } },
  { name: 'cut right after segment 0', make: (b) => b.subarray(0, segmentAt(1)), code: T, details: { segment: 1 } },
  { name: 'cut inside a segment', make: (b) => b.subarray(0, segmentAt(2) + 1000), code: D, details: auth(2) },
  { name: 'cut inside a segment before a whole tag', make: (b) => b.subarray(0, segmentAt(2) + 10), code: T, details: { segment: 2 } },
  { name: 'cut inside the last segment', make: (b) => b.subarray(0, b.length - 1), code: D, details: auth(3) },
  { name: 'cut inside the header', make: (b) => b.subarray(0, HDR - 1), code: T, details: { segment: 0 } },
  { name: 'header only', make: (b) => b.subarray(0, HDR), code: T, details: { segment: 0 } },
  { name: 'empty input', make: () => Buffer.alloc(0), code: T },
  { name: 'garbage after a short last segment', make: (b) => Buffer.concat([b, randomBytes(1)]), code: D, details: auth(3) },
  { name: 'garbage after a full last segment', make: (_b, e) => Buffer.concat([e, Buffer.from('x')]), code: D, details: { segment: 1, reason: 'trailing-data' } },
  { name: 'last segment appended twice', make: (b) => Buffer.concat([b, segment(b, 3)]), code: D, details: auth(3) },
  { name: 'large garbage after the stream', make: (b) => Buffer.concat([b, randomBytes(3 * FULL)]), code: D, details: auth(3) },
];

describe('stream AEAD tamper detection', () => {
  let base: Buffer;
  let even: Buffer;
  let basePlaintext: Buffer;
  beforeAll(async () => {
    basePlaintext = randomBytes(3 * SEG + 100);
    base = await encrypt(basePlaintext);
    even = await encrypt(randomBytes(2 * SEG));
  });

  for (const c of tamperCases) {
    it(`${c.name} → ${c.code}`, async () => {
      const altered = c.make(base, even);
      await expect(decrypt(altered)).rejects.toThrow(failure(c.code, c.details));
      await expect(decrypt(altered, {}, 1)).rejects.toThrow(failure(c.code, c.details)); // whatever the chunking
    });
  }

  it('detects a flip of any single header byte', async () => {
    for (let at = 0; at < HDR; at += 1) {
      await expect(decrypt(flip(base, at)), `header byte ${at}`).rejects.toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^ERR_CRYPTO_(DECRYPT_FAILED|STREAM_HEADER_INVALID)$/) }),
      );
    }
  });

  it('detects a flip of any single bit in a tag', async () => {
    for (let bit = 0; bit < TAG * 8; bit += 1) {
      const altered = Buffer.from(base);
      const at = segmentAt(1) - TAG + (bit >> 3);
      altered[at] = (altered[at] ?? 0) ^ (1 << (bit & 7));
      await expect(decrypt(altered)).rejects.toThrow(failure(D, auth(0)));
    }
  });

  it('refuses a segment spliced in from another stream under the same key and associated data', async () => {
    const other = await encrypt(randomBytes(3 * SEG + 100));
    const spliced = Buffer.concat([base.subarray(0, segmentAt(1)), segment(other, 1), base.subarray(segmentAt(2))]);
    await expect(decrypt(spliced)).rejects.toThrow(failure(D, auth(1)));
  });

  it('refuses a wrong key and wrong associated data at the first segment', async () => {
    await expect(decrypt(base, { key: randomBytes(32) })).rejects.toThrow(failure(D, auth(0)));
    await expect(decrypt(base, { associatedData: Buffer.from('checkpoints/run-8/step-1000.safetensors') })).rejects.toThrow(failure(D, auth(0)));
    await expect(decrypt(base, { associatedData: Buffer.alloc(0) })).rejects.toThrow(failure(D, auth(0)));
    const emptyStream = await encrypt(Buffer.alloc(0));
    await expect(decrypt(emptyStream, { key: randomBytes(32) })).rejects.toThrow(failure(D, auth(0)));
  });

  it('emits only verified segments: nothing from the segment that fails', async () => {
    const { out, error } = await runCollecting(createDecryptStream({ key, associatedData: ad }), flip(base, segmentAt(2) + 5), 1);
    expect(error).toEqual(failure(D, auth(2)));
    expect(out.equals(basePlaintext.subarray(0, 2 * SEG))).toBe(true);
    const single = await encrypt(Buffer.from('short secret'));
    const cut = await runCollecting(createDecryptStream({ key, associatedData: ad }), flip(single, single.length - 1));
    expect(cut.error).toEqual(failure(D, auth(0)));
    expect(cut.out.length).toBe(0);
  });

  it('refuses an empty last segment after data (a second encoding of the same plaintext)', async () => {
    // Built by hand with the documented layout: segment 0 not last, then an empty last segment.
    const header = Buffer.from(base.subarray(0, HDR));
    const segmentKey = Buffer.from(hkdfSync('sha256', key, header.subarray(9, 41), Buffer.from('langtrain stream-aead v1 AES-256-GCM segment key'), 32));
    const seal = (index: number, last: boolean, plaintext: Buffer) => {
      const cipher = createCipheriv('aes-256-gcm', segmentKey, Buffer.concat([header.subarray(41, 48), Buffer.from([0, 0, 0, index, last ? 1 : 0])]));
      cipher.setAAD(Buffer.concat([header, ad]));
      return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    };
    const plaintext = randomBytes(SEG);
    const canonical = Buffer.concat([header, seal(0, true, plaintext)]);
    expect((await decrypt(canonical)).equals(plaintext)).toBe(true);
    const padded = Buffer.concat([header, seal(0, false, plaintext), seal(1, true, Buffer.alloc(0))]);
    await expect(decrypt(padded)).rejects.toThrow(failure(D, { segment: 1, reason: 'non-canonical' }));
  });
});

describe('encryptFile / decryptFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stream-aead-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fresh = () => {
    const d = mkdtempSync(join(dir, 'case-'));
    return { d, plain: join(d, 'plain.bin'), sealed: join(d, 'sealed.lts'), out: join(d, 'out.bin') };
  };
  const options = { key, associatedData: ad, segmentSize: SEG };
  const openOptions = { key, associatedData: ad }; // the segment size comes from the header

  for (const size of SIZES) {
    it(`round-trips ${size} bytes through files, outputs readable by the owner only`, async () => {
      const { d, plain, sealed, out } = fresh();
      const plaintext = randomBytes(size);
      writeFileSync(plain, plaintext);
      await encryptFile(plain, sealed, options);
      expect(statSync(sealed).size).toBe(encryptedSize(size, SEG));
      expect((await decrypt(readFileSync(sealed))).equals(plaintext)).toBe(true); // the file and stream formats are one
      await decryptFile(sealed, out, { key, associatedData: ad });
      expect(readFileSync(out).equals(plaintext)).toBe(true);
      expect(statSync(sealed).mode & 0o777).toBe(0o600);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(readdirSync(d).sort()).toEqual(['out.bin', 'plain.bin', 'sealed.lts']);
    });
  }

  it('replaces an existing output on success', async () => {
    const { plain, sealed, out } = fresh();
    writeFileSync(plain, 'new contents');
    writeFileSync(out, 'old contents');
    await encryptFile(plain, sealed, options);
    await decryptFile(sealed, out, openOptions);
    expect(readFileSync(out, 'utf8')).toBe('new contents');
  });

  describe('leaves no output and no temporary file when decryption fails', () => {
    let base: Buffer;
    let even: Buffer;
    beforeAll(async () => {
      base = await encrypt(randomBytes(3 * SEG + 100));
      even = await encrypt(randomBytes(2 * SEG));
    });
    for (const c of tamperCases) {
      it(`${c.name} → ${c.code}`, async () => {
        const { d, sealed, out } = fresh();
        writeFileSync(sealed, c.make(base, even));
        await expect(decryptFile(sealed, out, { key, associatedData: ad })).rejects.toThrow(failure(c.code, c.details));
        expect(readdirSync(d)).toEqual(['sealed.lts']);
      });
    }
    it('wrong key or associated data', async () => {
      const { d, sealed, out } = fresh();
      writeFileSync(sealed, base);
      await expect(decryptFile(sealed, out, { key: randomBytes(32), associatedData: ad })).rejects.toThrow(failure(D, auth(0)));
      await expect(decryptFile(sealed, out, { key, associatedData: Buffer.from('other') })).rejects.toThrow(failure(D, auth(0)));
      expect(readdirSync(d)).toEqual(['sealed.lts']);
    });
    it('keeps an existing output untouched', async () => {
      const { d, sealed, out } = fresh();
      writeFileSync(sealed, flip(base, segmentAt(3) + 3));
      writeFileSync(out, 'previous good version');
      await expect(decryptFile(sealed, out, openOptions)).rejects.toThrow(failure(D, auth(3)));
      expect(readFileSync(out, 'utf8')).toBe('previous good version');
      expect(readdirSync(d).sort()).toEqual(['out.bin', 'sealed.lts']);
    });
  });

  it('leaves nothing behind for a missing input or bad options', async () => {
    const { d, plain, sealed, out } = fresh();
    await expect(encryptFile(plain, sealed, options)).rejects.toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await expect(decryptFile(sealed, out, openOptions)).rejects.toThrow(expect.objectContaining({ code: 'ENOENT' }));
    writeFileSync(plain, 'x');
    await expect(encryptFile(plain, sealed, { ...options, segmentSize: 10 })).rejects.toThrow(failure('ERR_INVALID_INPUT'));
    expect(readdirSync(d)).toEqual(['plain.bin']);
    expect(existsSync(out)).toBe(false);
  });
});

describe('stream AEAD memory', () => {
  /** Streams `total` generated bytes through encrypt → decrypt; returns the peak RSS seen and whether the output matched. */
  async function roundTrip(total: number): Promise<{ peak: number; received: number; matches: boolean }> {
    const chunkBytes = 64 * 1024;
    const block = randomBytes(chunkBytes);
    const inHash = createHash('sha256');
    const outHash = createHash('sha256');
    function* source() {
      for (let i = 0; i < total / chunkBytes; i += 1) {
        const chunk = Buffer.from(block);
        chunk.writeUInt32BE(i, 0);
        inHash.update(chunk);
        yield chunk;
      }
    }
    let peak = 0;
    let received = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        outHash.update(chunk);
        received += chunk.length;
        peak = Math.max(peak, process.memoryUsage.rss());
        done();
      },
    });
    await pipeline(Readable.from(source()), createEncryptStream({ key, associatedData: ad }), createDecryptStream({ key, associatedData: ad }), sink);
    return { peak, received, matches: outHash.digest('hex') === inHash.digest('hex') };
  }

  it('encrypts and decrypts a 200 MB generated stream with flat memory', async () => {
    // Warm up first: the baseline then includes the garbage level the collector settles at,
    // so what is measured is growth with the stream's length.
    await roundTrip(32 * 1024 * 1024);
    const baseline = process.memoryUsage.rss();
    const { peak, received, matches } = await roundTrip(200 * 1024 * 1024);
    expect(received).toBe(200 * 1024 * 1024);
    expect(matches).toBe(true);
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});
