import { invalidInput } from '../../core/errors.js';
import { DEFAULT_CONFIDENCE_THRESHOLD } from '../pii/pii-options.js';
import { apiKeyRecognizer } from '../pii/recognizers/api-key.js';
import type { LineageParameters } from './schema.js';

/**
 * At most this many characters of JSON. A character is at most three bytes of UTF-8, so the
 * parameters take at most 48 KiB of the `lineage.recorded` audit event, whose additionalData the
 * audit log refuses above 64 KiB; the edge's other fields (digests, operation, actor, at) fit in
 * the rest. An edge the audit log would refuse is refused here, before it is written.
 */
export const MAX_PARAMETERS = 16_384;

/**
 * At most this many levels of nesting, the parameters object itself being the first. The audit
 * log refuses additionalData nested deeper than 64 levels, and `lineage.recorded` carries the
 * parameters one level down; half leaves that room with a margin, and no setting needs more than
 * a few levels. Checked before anything recursive (JSON.stringify, structuredClone) runs.
 */
export const MAX_PARAMETERS_DEPTH = 32;

/** The personal data a parameter may not hold (the PII detector's types, at this score): parameters survive erasure. */
const PERSONAL_DATA_TYPES = ['email', 'phone', 'ssn', 'credit_card', 'iban'] as const;
const PERSONAL_DATA_SCORE = 0.95;

/**
 * Words that, in a parameter's key, mark a secret value (`apiKey`, `db_password`,
 * `access_token`). A key ending in a word that names a *reference* to a secret
 * (`key_name`, `key_id`) is allowed: encrypt steps must be able to say which key they used.
 * Plurals are not listed on purpose: `max_tokens` is a training setting, not a credential.
 */
const SECRET_WORDS = new Set(['key', 'apikey', 'secret', 'password', 'passwd', 'passphrase', 'pwd', 'token', 'credential', 'credentials', 'privatekey']);
const REFERENCE_WORDS = new Set(['id', 'name', 'version', 'ref', 'count', 'length', 'size']);

/**
 * A parameter string the api_key recognizer finds a candidate in at or above this score is
 * refused. Every candidate it returns has already passed its format's structural checks
 * (provider prefix and length, a checksum, a JWT header, not a `${PLACEHOLDER}` password) and
 * scores 0.9–1.0, so any cut-off up to 0.9 refuses the same values today; the detector's default
 * threshold keeps the two in step: a value is refused when `pii scan` at its default would flag
 * it as api_key (context words aside, which a lone parameter value has none of).
 */
const SECRET_VALUE_SCORE = DEFAULT_CONFIDENCE_THRESHOLD;

/** In Unicode mode a pair is read as one code point, so only an unpaired surrogate is in Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A text the parameters hold: a string, a key (`path` is then the object it is in) or a
 * number as its decimal text (a card number needs no quotes to be one).
 */
interface ParameterText {
  text: string;
  path: string;
  kind: 'string' | 'key' | 'number';
}

/**
 * JSON only, bounded (MAX_PARAMETERS_DEPTH, MAX_PARAMETERS), and nothing the audit log or
 * PostgreSQL refuses (NUL, an unpaired surrogate, a `__proto__` key): the edge is audited after
 * it is written, so what the log would refuse is refused before. No secret: no key that names
 * one, no string (value or key, at any depth) that holds one (parameters are stored and audited
 * in clear). No personal data either, in a string, a key or a number (an email address, phone
 * number, SSN, card number, IBAN, as the PII detector finds them at 0.95): parameters are kept
 * when a subject is erased, since the graph is meant to name no one.
 *
 * An error names where, never the text. Texts are checked in the order they were met, parents'
 * keys before what they hold, so a path in an error holds only keys already found clean.
 */
export async function checkParameters(parameters: unknown): Promise<LineageParameters> {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) throw invalidInput('parameters must be a JSON object', { field: 'parameters' });
  const { texts, notJson } = collectTexts(parameters);
  // Bounded before the texts are scanned: the scan is linear, but need not run over megabytes.
  if (notJson === undefined && JSON.stringify(parameters).length > MAX_PARAMETERS) {
    throw invalidInput(`parameters must be at most ${MAX_PARAMETERS} characters of JSON (the audit log records them with each edge)`, { field: 'parameters' });
  }
  if (texts.length > 0) await refuseUnsafeTexts(texts);
  // After the scan, so that the path it names holds no key that is itself refused.
  if (notJson !== undefined) throw invalidInput(`parameters${notJson} must be JSON (string, finite number, boolean, null, list or plain object)`, { field: `parameters${notJson}` });
  return structuredClone(parameters) as LineageParameters;
}

/**
 * Every text in `parameters`, depth first with an explicit stack (a body nested thousands deep
 * must get an answer, not a stack overflow), refusing nesting past MAX_PARAMETERS_DEPTH. Stops
 * at the first value that is not JSON and returns its path, with the texts met before it.
 */
function collectTexts(parameters: object): { texts: ParameterText[]; notJson?: string } {
  const texts: ParameterText[] = [];
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: parameters, path: '', depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string') texts.push({ text: value, path, kind: 'string' });
    else if (typeof value === 'number' && Number.isFinite(value)) texts.push({ text: String(value), path, kind: 'number' });
    else if (value === null || typeof value === 'boolean') continue;
    else if (!isPlainContainer(value)) return { texts, notJson: path };
    else if (depth > MAX_PARAMETERS_DEPTH) {
      // No path: it would be a wall of keys, and those not yet checked.
      throw invalidInput(`parameters must be nested at most ${MAX_PARAMETERS_DEPTH} levels deep (the audit log records them with each edge, and bounds its nesting)`, { field: 'parameters' });
    } else {
      const children = Array.isArray(value)
        ? Array.from({ length: value.length }, (_, i) => ({ value: value[i] as unknown, path: `${path}[${i}]`, depth: depth + 1 }))
        : Object.entries(value).map(([key, item]) => {
            texts.push({ text: key, path, kind: 'key' });
            return { value: item as unknown, path: `${path}.${key}`, depth: depth + 1 };
          });
      // Reversed onto the stack so they come off in order; one push each, as a spread of a long list overflows.
      for (let i = children.length - 1; i >= 0; i -= 1) pending.push(children[i]!);
    }
  }
  return { texts };
}

function isPlainContainer(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Refuses the first text that cannot be stored as given, holds a secret or holds personal data; the personal data recognizers (phone's metadata is large) load on first use. */
async function refuseUnsafeTexts(texts: readonly ParameterText[]): Promise<void> {
  const personalData = await personalDataFinder();
  for (const entry of texts) {
    refuseUnstorable(entry);
    if (entry.kind !== 'number') refuseSecret(entry);
    const type = personalData(entry.text);
    if (type !== undefined) {
      const { where, field } = locate(entry);
      throw invalidInput(
        `${where} holds personal data (${type}); lineage parameters are stored and audited in clear and kept when a data subject is erased, so they must name no one: record who or what it was by a reference that is not personal (a ticket or request id), or leave it out`,
        { field, entityType: type },
      );
    }
  }
}

/** Where a text is, for an error: a key by the object it is in, as its own path would repeat it. */
function locate({ path, kind }: ParameterText): { where: string; field: string } {
  const field = `parameters${path}`;
  return { where: kind === 'key' ? `a key in ${field}` : field, field };
}

/** What the audit log refuses in any string or key (and PostgreSQL in text): refused here, since the edge is written first. */
function refuseUnstorable(entry: ParameterText): void {
  const problem = unstorable(entry);
  if (problem === undefined) return;
  const { where, field } = locate(entry);
  throw invalidInput(`${where} ${problem}`, { field });
}

function unstorable({ text, kind }: ParameterText): string | undefined {
  if (kind === 'number') return undefined;
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which the audit log and the database cannot store';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode), which the audit log and the database cannot store as given';
  if (kind === 'key' && text === '__proto__') return "is __proto__, which the audit log refuses as a key (it would set an object's prototype); give the setting another name";
  return undefined;
}

function refuseSecret(entry: ParameterText): void {
  const { text, path, kind } = entry;
  const found = apiKeyRecognizer.find(text).find((candidate) => candidate.score >= SECRET_VALUE_SCORE);
  if (found !== undefined) {
    const { where, field } = locate(entry);
    const hint = kind === 'key' ? 'secret_name' : `${/([^.[\]]+)(?:\[\d+\])*$/.exec(path)?.[1] ?? 'value'}_secret_name`;
    throw invalidInput(
      `${where} holds a secret (${found.type}: a token, private key or password, e.g. in a connection string); lineage is stored and audited in clear, so record a reference instead: the name of the secret that holds it (e.g. ${hint}), or the value without the credential (a URL without its password)`,
      { field, entityType: found.type },
    );
  }
  // The key is named: it passed the check above, and it is the word that is refused.
  if (kind === 'key' && namesASecret(text)) {
    throw invalidInput(`parameters${path}.${text} looks like a secret (key, secret, password, token); lineage is stored and audited in clear, so record a reference such as ${text}_name instead`, { field: `parameters${path}.${text}` });
  }
}

let personalDataFinderLoaded: Promise<(text: string) => string | undefined> | undefined;

function personalDataFinder(): Promise<(text: string) => string | undefined> {
  personalDataFinderLoaded ??= (async () => {
    const [{ ContextWords }, { emailRecognizer }, { phoneRecognizer }, { ssnRecognizer }, { creditCardRecognizer }, { ibanRecognizer }] = await Promise.all([
      import('../pii/context-scoring.js'),
      import('../pii/recognizers/email.js'),
      import('../pii/recognizers/phone.js'),
      import('../pii/recognizers/ssn.js'),
      import('../pii/recognizers/credit-card.js'),
      import('../pii/recognizers/iban.js'),
    ]);
    const recognizers = [emailRecognizer, phoneRecognizer, ssnRecognizer, creditCardRecognizer, ibanRecognizer].filter((r) => (PERSONAL_DATA_TYPES as readonly string[]).includes(r.type));
    // Scored as the detector scores them (context words, a recognizer's own cue), at its 0.95.
    const active = recognizers.map((recognizer) => ({ recognizer, context: new ContextWords(recognizer) }));
    return (text: string) => {
      for (const { recognizer, context } of active) {
        for (const candidate of recognizer.find(text)) {
          if (context.adjust(text, candidate.start, candidate.score, candidate.cued === true) >= PERSONAL_DATA_SCORE) return candidate.type;
        }
      }
      return undefined;
    };
  })();
  return personalDataFinderLoaded;
}

function namesASecret(key: string): boolean {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  return words.some((w) => SECRET_WORDS.has(w)) && !REFERENCE_WORDS.has(words.at(-1) ?? '');
}
