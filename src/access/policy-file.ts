import { open } from 'node:fs/promises';
import { LangtrainError } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import type { Authorizer } from './authorizer.js';
import { parsePolicyDocument, policyDocumentOptionsSchema, type PolicyDocumentOptions } from './policy-document.js';

/** Larger is not a policy file; refusing it bounds memory and parse time. */
export const MAX_POLICY_FILE_BYTES = 16 * 1024 * 1024;

/** Reads a YAML or JSON policy file and builds its Authorizer (errors as parsePolicyDocument's). */
export async function loadPolicyFile(path: string, options: PolicyDocumentOptions = {}): Promise<Authorizer> {
  // Before the file is read: a misspelt option is refused whatever the file holds.
  options = parseOptions(policyDocumentOptionsSchema, options, 'loadPolicyFile');
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      if (size > MAX_POLICY_FILE_BYTES) throw new LangtrainError('ERR_POLICY_INVALID', `${path}: larger than ${MAX_POLICY_FILE_BYTES} bytes`, { file: path });
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
  } catch (err) {
    if (err instanceof LangtrainError) throw err;
    throw new LangtrainError('ERR_POLICY_INVALID', `${path}: cannot read the policy file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: path }, { cause: err });
  }
  return parsePolicyDocument(text, path, options);
}
