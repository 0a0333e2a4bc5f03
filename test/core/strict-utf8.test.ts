import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { strictUtf8 } from '../../src/core/strict-utf8.js';

/** `bytes` through strictUtf8 in chunks of `size` bytes: what comes out, or the error. */
async function passed(bytes: Buffer, size: number): Promise<Buffer> {
  const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  const check = strictUtf8();
  const [out] = await Promise.all([buffer(check), pipeline(Readable.from(chunks), check)]);
  return out;
}

describe('strictUtf8', () => {
  // two-, three- and four-byte characters, a byte order mark, CR LF: every chunk size cuts some of them
  const text = Buffer.from('\uFEFFid,text\r\n1,café\n2,日本語 😀\n3,ok', 'utf8');

  it('passes UTF-8 on byte for byte, however the chunks cut its characters', async () => {
    for (const size of [1, 2, 3, 5, 7, text.length]) expect(await passed(text, size), `chunks of ${size}`).toEqual(text);
  });

  it('fails at the first bytes that are not UTF-8, naming their line, whatever the chunks', async () => {
    const cases: Array<[string, Buffer, number]> = [
      ['Latin-1 é', Buffer.concat([Buffer.from('id,text\n1,caf'), Buffer.from([0xe9]), Buffer.from('\n2,ok\n')]), 2],
      ['a stray continuation byte', Buffer.concat([Buffer.from('a\nb\nc'), Buffer.from([0x80]), Buffer.from('\n')]), 3],
      ['a character cut short by a newline', Buffer.concat([Buffer.from('a\n'), Buffer.from([0xe6, 0x97]), Buffer.from('\nb\n')]), 2],
      ['a character cut short by the end of the file', Buffer.concat([Buffer.from('a\nb\n'), Buffer.from([0xf0, 0x9f, 0x98])]), 3],
      ['an overlong encoding', Buffer.concat([Buffer.from('x'), Buffer.from([0xc0, 0xaf])]), 1],
      ['UTF-16', Buffer.from('\uFEFFid\n', 'utf16le'), 1],
    ];
    for (const [what, bytes, line] of cases) {
      for (const size of [1, 2, 4, bytes.length]) {
        await expect(passed(bytes, size), `${what}, chunks of ${size}`).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: `line ${line}: is not valid UTF-8; no output was written`, details: { line } });
      }
    }
  });
});
