import { invalidInput, LangtrainError } from '../../core/errors.js';

/**
 * RFC 7512 pkcs11: URIs naming a KEK in a token. Pure parsing, apart from reading a PIN from
 * the environment when the URI says `pin-source=env:NAME`.
 */
/** Where a KEK lives, as read from a pkcs11 URI; pass it (and createIfMissing) to openPkcs11Kek. */
export interface Pkcs11KekLocation {
  tokenLabel: string;
  keyLabel: string;
  modulePath?: string;
  pin?: string;
}

/**
 * Parse `pkcs11:token=T;object=K[;type=secret-key][?module-path=P&pin-value=V|pin-source=env:NAME]`.
 * Attributes that would narrow the match (serial, id, slot-id, ...) are refused rather than
 * ignored, since ignoring one could select another token. Errors name the attribute, never
 * its value (the URI may carry a PIN).
 */
export function parsePkcs11Uri(uri: string, env: NodeJS.ProcessEnv = process.env): Pkcs11KekLocation {
  if (!/^pkcs11:/i.test(uri)) throw invalidInput('a PKCS#11 URI starts with "pkcs11:" (RFC 7512)');
  const [path = '', query, ...rest] = uri.slice('pkcs11:'.length).split('?');
  if (rest.length > 0) throw invalidInput('a PKCS#11 URI has at most one "?"');
  const attributes = readAttributes(path, ';', 'path');
  const queryAttributes = query === undefined ? new Map<string, string>() : readAttributes(query, '&', 'query');

  for (const name of attributes.keys()) {
    if (!['token', 'object', 'type'].includes(name)) throw unsupported(`PKCS#11 URI path attribute "${name}" is not supported (supported: token, object, type)`);
  }
  for (const name of queryAttributes.keys()) {
    if (!['module-path', 'pin-value', 'pin-source'].includes(name)) throw unsupported(`PKCS#11 URI query attribute "${name}" is not supported (supported: module-path, pin-value, pin-source)`);
  }
  const type = attributes.get('type');
  if (type !== undefined && type !== 'secret-key') throw unsupported('a KEK is a secret key: the URI attribute type must be "secret-key"');
  const tokenLabel = attributes.get('token');
  const keyLabel = attributes.get('object');
  if (tokenLabel === undefined || tokenLabel === '' || keyLabel === undefined || keyLabel === '') {
    throw invalidInput('a PKCS#11 KEK URI names both the token and the object (pkcs11:token=...;object=...)');
  }

  const location: Pkcs11KekLocation = { tokenLabel, keyLabel };
  const modulePath = queryAttributes.get('module-path');
  if (modulePath !== undefined) location.modulePath = modulePath;
  const pinValue = queryAttributes.get('pin-value');
  const pinSource = queryAttributes.get('pin-source');
  if (pinValue !== undefined && pinSource !== undefined) throw invalidInput('a PKCS#11 URI has pin-value or pin-source, not both');
  if (pinValue !== undefined) location.pin = pinValue;
  if (pinSource !== undefined) {
    if (!pinSource.startsWith('env:') || pinSource.length === 4) throw unsupported('PKCS#11 URI pin-source must be env:NAME');
    const pin = env[pinSource.slice(4)];
    if (pin === undefined || pin === '') throw new LangtrainError('ERR_CONFIG_INVALID', `environment variable ${pinSource.slice(4)} (from the PKCS#11 URI pin-source) is not set`);
    location.pin = pin;
  }
  return location;
}

/** The secret-free reference a KEK reports as its `uri`. */
export function formatPkcs11Uri(tokenLabel: string, keyLabel: string): string {
  return `pkcs11:token=${encodeURIComponent(tokenLabel)};object=${encodeURIComponent(keyLabel)}`;
}

function readAttributes(text: string, separator: string, part: 'path' | 'query'): Map<string, string> {
  const attributes = new Map<string, string>();
  if (text === '') return attributes;
  for (const pair of text.split(separator)) {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    if (at <= 0 || !/^[a-z0-9-]+$/.test(name)) throw invalidInput(`PKCS#11 URI ${part} attribute "${name.slice(0, 40)}" is not name=value`);
    if (attributes.has(name)) throw invalidInput(`PKCS#11 URI ${part} attribute "${name}" appears twice`);
    attributes.set(name, decodeValue(pair.slice(at + 1), name));
  }
  return attributes;
}

function decodeValue(raw: string, name: string): string {
  // RFC 7512 pchar (and "/" "?" "|" in the query); anything else must be percent-encoded.
  if (!/^(?:[A-Za-z0-9\-._~!$'()*+,=:@&[\]/?|]|%[0-9A-Fa-f]{2})*$/.test(raw)) throw invalidInput(`PKCS#11 URI attribute "${name}" has a character that must be percent-encoded`);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidInput(`PKCS#11 URI attribute "${name}" is not valid percent-encoded UTF-8`);
  }
}


function unsupported(message: string): LangtrainError {
  return new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', message);
}
