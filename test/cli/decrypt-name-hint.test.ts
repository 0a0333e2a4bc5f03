import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encryptCommands, withNameHint } from '../../src/cli/commands/encrypt.js';
import { LangtrainError, invalidInput } from '../../src/core/errors.js';
import { runInProcess } from '../support/in-process-cli.js';
import { tempDir } from '../support/services.js';

/** `langtrain decrypt --scope file` under another --name than encrypt's: in process (the source, not dist). */
let dir: { path: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir('decrypt-name');
});
afterEach(() => {
  vi.restoreAllMocks();
  dir.cleanup();
});

const cli = (...args: string[]) => runInProcess(encryptCommands, [...args, '--db', `sqlite:${join(dir.path, 'lt.db')}`, '--config', join(dir.path, 'lt.yaml'), '--no-lineage', '--quiet']);

describe('decrypt --scope file with the wrong --name', () => {
  it('says to check --name, keeping the code ERR_CRYPTO_DECRYPT_FAILED', async () => {
    writeFileSync(join(dir.path, 'lt.yaml'), `crypto:\n  kek: file:${join(dir.path, 'kek.key')}\n`);
    const plain = join(dir.path, 'weights.bin');
    writeFileSync(plain, 'model weights');
    const sealed = join(dir.path, 'weights.enc');
    const encrypted = await cli('encrypt', '--scope', 'file', '--name', 'model-v1', '--input', plain, '--output', sealed);
    expect(encrypted.code, encrypted.err).toBe(0);

    const wrong = await cli('decrypt', '--scope', 'file', '--name', 'model-v2', '--input', sealed, '--output', join(dir.path, 'out.bin'), '--json');
    expect(wrong.code).toBe(2);
    const { error } = JSON.parse(wrong.out);
    expect(error.code).toBe('ERR_CRYPTO_DECRYPT_FAILED');
    expect(error.message).toContain('was altered or moved');
    expect(error.message).toContain('check --name: it must be the name given to encrypt it (--name "model-v2" was given here)');

    const none = await cli('decrypt', '--scope', 'file', '--input', sealed, '--output', join(dir.path, 'out.bin'));
    expect(none.err).toContain('(no --name was given here)');

    const right = await cli('decrypt', '--scope', 'file', '--name', 'model-v1', '--input', sealed, '--output', join(dir.path, 'out.bin'));
    expect(right.code, right.err).toBe(0);
    expect(readFileSync(join(dir.path, 'out.bin'), 'utf8')).toBe('model weights');
  });

  it('leaves other errors as they are', () => {
    const other = invalidInput('x is not a LangTrain encrypted file');
    expect(withNameHint(other, 'n')).toBe(other);
    const failed = withNameHint(new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', 'decryption failed', { k: 1 }), '') as LangtrainError;
    expect(failed).toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED', details: { k: 1 } });
  });
});
