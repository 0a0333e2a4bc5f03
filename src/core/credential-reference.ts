import { existsSync, readFileSync } from 'node:fs';
import { LangtrainError } from './errors.js';

/**
 * Provider credentials are given by reference, `env:NAME` or `file:PATH`, never inline, so
 * configuration files can be shared and printed. They are read on every use rather than
 * once: Vault Agent and Azure/Kubernetes token projectors rewrite such files as tokens renew.
 * Messages name the reference, never what it holds.
 */
export type CredentialReference = `env:${string}` | `file:${string}`;

export const CREDENTIAL_REFERENCE = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/;

export function readCredential(reference: CredentialReference, what: string): string {
  // Anything else may be the secret itself, given inline by mistake: refused without a word of it.
  if (typeof reference !== 'string' || !CREDENTIAL_REFERENCE.test(reference)) {
    throw new LangtrainError('ERR_CONFIG_INVALID', `${what}: must be a credential reference, env:NAME or file:/path, never the secret itself`, {
      option: what,
      supported: ['env:NAME', 'file:/path'],
    });
  }
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = process.env[name]?.trim();
    if (!value) throw new LangtrainError('ERR_CONFIG_INVALID', `${what}: environment variable ${name} (from ${reference}) is not set`, { reference });
    return value;
  }
  const path = reference.slice(5);
  if (!existsSync(path)) throw new LangtrainError('ERR_CONFIG_INVALID', `${what}: file ${path} (from ${reference}) does not exist`, { reference });
  const value = readFileSync(path, 'utf8').trim();
  if (!value) throw new LangtrainError('ERR_CONFIG_INVALID', `${what}: file ${path} (from ${reference}) is empty`, { reference });
  return value;
}
