import type { Profile } from '@node-saml/node-saml';
import type { SsoIdentity } from '../sso-identity.js';
import { samlFailure } from './saml-failure.js';

/** What `readAssertion` needs of the provider's settings. */
export interface AssertionReading {
  provider: string;
  callbackUrl: string;
  maxClockSkewMs: number;
  mfaContextClasses: readonly string[];
  emailAttribute?: string | undefined;
  usernameAttribute?: string | undefined;
  groupsAttribute?: string | undefined;
}

export interface VerifiedAssertion {
  identity: SsoIdentity;
  assertionId: string;
  /** When the assertion stops being acceptable (latest NotOnOrAfter plus the clock skew). */
  keepUntil: Date;
  /** The request the response answered (checked by node-saml against the pending requests). */
  inResponseTo: string | null;
}

const NAMEID_TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const MAX_SUBJECT = 1024;
const MAX_EMAIL = 254;

/** Where common IdPs put each value when the provider's options do not name the attribute. */
const EMAIL_ATTRIBUTES = ['email', 'mail', 'urn:oid:0.9.2342.19200300.100.1.3', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'];
const USERNAME_ATTRIBUTES = [
  'username',
  'uid',
  'urn:oid:0.9.2342.19200300.100.1.1',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
];
const GROUPS_ATTRIBUTES = ['groups', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', 'memberOf'];
/** Entra ID (Azure AD) reports a second factor here rather than in AuthnContextClassRef. */
const AUTHN_METHODS_ATTRIBUTE = 'http://schemas.microsoft.com/claims/authnmethodsreferences';

type XmlNode = Record<string, unknown>;

/**
 * The identity in an assertion node-saml has verified: signature, audience, time window
 * and InResponseTo are checked before this runs. Everything read here comes from the
 * signed assertion (`profile.getAssertion()` is parsed from the signed bytes only). Pure:
 * no I/O, so it is tested with plain profiles.
 */
export function readAssertion(profile: Profile, reading: AssertionReading): VerifiedAssertion {
  const assertion = asNode(profile.getAssertion?.()?.Assertion);
  const assertionId = attribute(assertion, 'ID');
  if (!assertion || !assertionId) throw samlFailure(reading.provider, 'malformed', 'the assertion has no ID, so its reuse could not be detected');

  const confirmations = children(assertion, 'Subject').flatMap((s) => children(s, 'SubjectConfirmation'));
  const confirmationData = confirmations.flatMap((c) => children(c, 'SubjectConfirmationData'));
  // SAML profiles §4.1.4.3: the bearer's Recipient must be the ACS the response was posted to.
  if (!confirmationData.some((d) => attribute(d, 'Recipient') === reading.callbackUrl)) throw samlFailure(reading.provider, 'recipient');

  const ends = [...children(assertion, 'Conditions'), ...confirmationData].map((n) => Date.parse(attribute(n, 'NotOnOrAfter') ?? '')).filter(Number.isFinite);
  if (ends.length === 0) throw samlFailure(reading.provider, 'malformed', 'the assertion has no NotOnOrAfter, so it would never expire and its replay could never be ruled out');
  const keepUntil = new Date(Math.max(...ends) + reading.maxClockSkewMs);

  const subject = typeof profile.nameID === 'string' ? profile.nameID.trim() : '';
  if (subject === '' || subject.length > MAX_SUBJECT) throw samlFailure(reading.provider, 'subject', 'the assertion has no NameID (or one over 1024 characters)');
  if (profile.nameIDFormat === NAMEID_TRANSIENT) {
    throw samlFailure(reading.provider, 'subject', 'the IdP sent a transient NameID, which changes at every sign-in; configure a persistent, email or unspecified NameID format at the IdP');
  }

  const attributes = asNode(profile.attributes) ?? {};
  const emailFromNameId = profile.nameIDFormat === NAMEID_EMAIL || isEmail(subject) ? subject : null;
  const email = pick(attributes, reading.emailAttribute, EMAIL_ATTRIBUTES).find(isEmail) ?? (reading.emailAttribute ? null : emailFromNameId);
  const username = pick(attributes, reading.usernameAttribute, USERNAME_ATTRIBUTES)[0] ?? (reading.usernameAttribute ? null : emailFromNameId);
  const groups = [...new Set(pick(attributes, reading.groupsAttribute, GROUPS_ATTRIBUTES))];

  const classRefs = children(assertion, 'AuthnStatement')
    .flatMap((s) => children(s, 'AuthnContext'))
    .flatMap((c) => children(c, 'AuthnContextClassRef'))
    .map(text)
    .filter((v): v is string => v !== null);
  const mfa = [...classRefs, ...values(attributes[AUTHN_METHODS_ATTRIBUTE])].some((v) => reading.mfaContextClasses.includes(v));

  const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : null;
  return { identity: { provider: reading.provider, subject, email: email ?? null, username, groups, mfa }, assertionId, keepUntil, inResponseTo };
}

/** The named attribute's values; without a name, those of the first well-known one present. */
function pick(attributes: XmlNode, configured: string | undefined, wellKnown: readonly string[]): string[] {
  if (configured !== undefined) return values(attributes[configured]);
  for (const name of wellKnown) {
    const found = values(attributes[name]);
    if (found.length > 0) return found;
  }
  return [];
}

/** node-saml gives one value as a string and several as an array; values with markup are not text. */
function values(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v.length > 0);
}

function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

function asNode(value: unknown): XmlNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as XmlNode) : undefined;
}

/** xml2js (as node-saml configures it) lists every child element under its local name. */
function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const list = node?.[name];
  return Array.isArray(list) ? list.map(asNode).filter((n): n is XmlNode => n !== undefined) : [];
}

function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const value = asNode(node?.$)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function text(node: XmlNode): string | null {
  return typeof node._ === 'string' && node._.trim() !== '' ? node._.trim() : null;
}
