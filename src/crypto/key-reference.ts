import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyReference } from '../core/config.js';
import { LangtrainError } from '../core/errors.js';

/**
 * Keys held outside the database are named by reference: `file:PATH` or `env:NAME`.
 * Messages name the reference, never the key.
 */
export type { KeyReference };

/** The text a reference points at (trimmed). */
export function readKeyText(reference: KeyReference): string {
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = process.env[name];
    if (value === undefined || value.trim() === '') {
      throw new LangtrainError('ERR_KEY_MISSING', `environment variable ${name} (from ${reference}) is not set`);
    }
    return value.trim();
  }
  const path = reference.slice(5);
  if (!existsSync(path)) throw new LangtrainError('ERR_KEY_MISSING', `key file ${path} does not exist`);
  return readFileSync(path, 'utf8').trim();
}

/** A 256-bit key written as 64 hex digits or 44 base64 characters. */
export function decodeKey256(text: string, reference: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(text) && key.toString('base64') !== text)) {
    throw new LangtrainError('ERR_KEY_MISSING', `${reference} must hold a 256-bit key as 64 hex digits or base64`);
  }
  return key;
}

/**
 * Read a 256-bit key; for a `file:` reference that does not exist yet, create it with a
 * fresh random key readable by the owner only (the zero-set-up default).
 */
export function loadOrCreateKey256(reference: KeyReference): Buffer {
  if (reference.startsWith('file:') && !existsSync(reference.slice(5))) {
    const path = reference.slice(5);
    mkdirSync(dirname(path), { recursive: true });
    // 'wx' fails if another process created it first; then we read theirs.
    try {
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return decodeKey256(readKeyText(reference), reference);
}
