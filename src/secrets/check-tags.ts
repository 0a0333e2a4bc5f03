import { invalidInput } from '../core/errors.js';
import type { SecretTags } from './provider.js';

/**
 * Tags every provider can hold (the tightest of their limits): at most 14 tags (Azure Key
 * Vault allows 15 and the Azure provider may use one to keep the secret's own name), keys
 * of 1–128 and values of 0–256 characters drawn from AWS's tag alphabet (letters, digits,
 * spaces and `_ . : / = + - @`). Keys starting with `aws:` (reserved by AWS) or `langtrain-`
 * (ours) are refused.
 */
export const MAX_TAGS = 14;

const TAG_TEXT = /^[\p{L}\p{N}\p{Zs}_.:/=+\-@]*$/u;

export function checkTags(tags: unknown): SecretTags {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw invalidInput('tags must be an object of string keys to string values');
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw invalidInput(`at most ${MAX_TAGS} tags per secret (got ${entries.length})`);
  const out: SecretTags = {};
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 128 || !TAG_TEXT.test(key)) {
      throw invalidInput(`tag key "${key}" must be 1-128 letters, digits, spaces and _ . : / = + - @`);
    }
    if (/^aws:/i.test(key) || /^langtrain-/i.test(key)) throw invalidInput(`tag key "${key}" uses a reserved prefix (aws:, langtrain-)`);
    if (typeof value !== 'string' || value.length > 256 || !TAG_TEXT.test(value)) {
      throw invalidInput(`tag ${key} must have a string value of at most 256 letters, digits, spaces and _ . : / = + - @`);
    }
    out[key] = value;
  }
  return out;
}

/** Whether `tags` has every key of `wanted` with the same value. */
export function hasTags(tags: SecretTags, wanted: SecretTags): boolean {
  return Object.entries(wanted).every(([key, value]) => Object.prototype.hasOwnProperty.call(tags, key) && tags[key] === value);
}
