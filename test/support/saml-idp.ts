import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import validator from '@authenio/samlify-node-xmllint';
import * as samlify from 'samlify';
import { tempDir } from './services.js';

/**
 * A real SAML 2.0 identity provider for tests, built with samlify (a different SAML
 * implementation from the node-saml our service provider uses, so the two check each
 * other). It reads the SP's HTTP-Redirect AuthnRequest, validates it against the SAML
 * schemas (xmllint), and answers with a SAMLResponse whose assertion it signs with a
 * self-signed RSA certificate made by openssl for this run. Knobs produce the broken
 * responses an attacker or a misconfigured IdP would send.
 */

samlify.setSchemaValidator(validator);

export const IDP_ENTITY_ID = 'https://idp.example.test/metadata';
export const IDP_SSO_URL = 'https://idp.example.test/sso';

export const CLASS_PASSWORD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
export const CLASS_MULTI_FACTOR = 'urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor';

export interface TestSamlUser {
  nameId: string;
  nameIdFormat?: string;
  email?: string;
  groups?: string[];
  /** Any further attributes, by name. */
  attributes?: Record<string, string | string[]>;
  /** Default: PasswordProtectedTransport (one factor). */
  authnContextClassRef?: string;
}

export interface ResponseKnobs {
  /** `other`: a key pair whose certificate the SP was never given. */
  signWith?: 'idp' | 'other';
  /**
   * `assertion` (default): the assertion is signed, as Okta and Azure AD do.
   * `response`: only the enclosing Response is signed, the assertion is not.
   * `none`: the assertion's signature is stripped after signing.
   */
  sign?: 'assertion' | 'response' | 'none';
  /** The assertion's Audience; default the SP's entity id from its metadata. */
  audience?: string;
  /** Issued ten minutes ago, ended five minutes ago. */
  expired?: boolean;
  /** Change the signed XML afterwards (a man in the middle). */
  tamper?: (xml: string) => string;
  /** Default true: SubjectConfirmationData carries InResponseTo (inside the signature). */
  subjectInResponseTo?: boolean;
}

export interface TestSamlResponse {
  /** Base64 XML, as the browser posts it to the ACS URL. */
  samlResponse: string;
  /** The AuthnRequest ID it answers. */
  inResponseTo: string;
  assertionId: string;
  relayState: string | undefined;
}

interface KeyPair {
  key: string;
  cert: string;
}

export class TestSamlIdp {
  readonly entityId = IDP_ENTITY_ID;
  readonly ssoUrl = IDP_SSO_URL;
  /** The IdP's signing certificate (PEM), as an SP is configured with it. */
  readonly certificatePath: string;
  /** A second certificate the IdP never signs with. */
  readonly otherCertificatePath: string;
  readonly #dir: { path: string; cleanup: () => void };
  /** The same IdP (entity id, endpoints) signing with its own key or with the other one. */
  readonly #entities: Record<'idp' | 'other', samlify.IdentityProviderInstance>;

  private constructor(dir: { path: string; cleanup: () => void }) {
    this.#dir = dir;
    this.#entities = { idp: this.#entity(makeKeyPair(dir.path, 'idp')), other: this.#entity(makeKeyPair(dir.path, 'other')) };
    this.certificatePath = join(dir.path, 'idp-cert.pem');
    this.otherCertificatePath = join(dir.path, 'other-cert.pem');
  }

  #entity(keys: KeyPair): samlify.IdentityProviderInstance {
    const redirect = samlify.Constants.namespace.binding.redirect;
    return samlify.IdentityProvider({
      entityID: this.entityId,
      privateKey: keys.key,
      signingCert: keys.cert,
      singleSignOnService: [{ Binding: redirect, Location: this.ssoUrl }],
      singleLogoutService: [{ Binding: redirect, Location: `${this.ssoUrl}/logout` }],
    });
  }

  static create(): TestSamlIdp {
    return new TestSamlIdp(tempDir('saml-idp'));
  }

  /** A directory for further test files, removed with the IdP. */
  get directory(): string {
    return this.#dir.path;
  }

  cleanup(): void {
    this.#dir.cleanup();
  }

  /**
   * Sign `user` in for the AuthnRequest in `redirectUrl` (what the SP's `start` returned),
   * for the SP described by `spMetadata`.
   */
  async respond(redirectUrl: string, spMetadata: string, user: TestSamlUser, knobs: ResponseKnobs = {}): Promise<TestSamlResponse> {
    const url = new URL(redirectUrl);
    if (`${url.origin}${url.pathname}` !== this.ssoUrl) throw new Error(`the AuthnRequest went to ${url.origin}${url.pathname}, not this IdP's ${this.ssoUrl}`);
    const sign = knobs.sign ?? 'assertion';
    const idp = this.#entities[knobs.signWith ?? 'idp'];
    // samlify signs the assertion when the SP's metadata wants signed assertions, else the Response.
    const sp = samlify.ServiceProvider({ metadata: sign === 'response' ? spMetadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"') : spMetadata });

    const query = Object.fromEntries(url.searchParams);
    let request;
    try {
      request = await idp.parseLoginRequest(sp, 'redirect', { query });
    } catch (err) {
      throw new Error(`the IdP refused the AuthnRequest: ${String(err)}`);
    }
    const inResponseTo = String(request.extract.request?.id ?? '');
    if (!inResponseTo) throw new Error('the AuthnRequest has no ID');

    const assertionId = `_${randomUUID()}`;
    const now = Date.now();
    const issued = new Date(knobs.expired ? now - 10 * 60_000 : now);
    const ends = new Date(knobs.expired ? now - 5 * 60_000 : now + 5 * 60_000);
    const acs = sp.entityMeta.getAssertionConsumerService('post') as string;
    const audience = knobs.audience ?? sp.entityMeta.getEntityID();

    let built;
    try {
      built = await idp.createLoginResponse(sp, { extract: request.extract }, 'post', {}, {
        customTagReplacement: (template) => {
          const tags: Record<string, string> = {
            ID: `_${randomUUID()}`,
            AssertionID: assertionId,
            Destination: acs,
            Audience: audience,
            SubjectRecipient: acs,
            Issuer: this.entityId,
            IssueInstant: issued.toISOString(),
            StatusCode: samlify.Constants.StatusCode.Success,
            ConditionsNotBefore: issued.toISOString(),
            ConditionsNotOnOrAfter: ends.toISOString(),
            SubjectConfirmationDataNotOnOrAfter: ends.toISOString(),
            NameIDFormat: user.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
            NameID: escapeXml(user.nameId),
            InResponseTo: inResponseTo,
            AuthnStatement: authnStatement(issued, user.authnContextClassRef ?? CLASS_PASSWORD),
            AttributeStatement: attributeStatement(user),
          };
          let xml = template;
          if (knobs.subjectInResponseTo === false) xml = xml.replace(/(<saml:SubjectConfirmationData[^>]*?) InResponseTo="\{InResponseTo\}"/, '$1');
          xml = xml.replace(/\{(\w+)\}/g, (whole, name: string) => tags[name] ?? whole);
          return { id: tags.ID!, context: xml };
        },
      });
    } catch (err) {
      throw new Error(`the IdP could not build the response: ${String(err)}`);
    }

    let xml = Buffer.from(built.context, 'base64').toString('utf8');
    if (sign === 'none') {
      const stripped = xml.replace(/<ds:Signature\b[\s\S]*?<\/ds:Signature>/, '');
      if (stripped === xml) throw new Error('the response had no signature to strip');
      xml = stripped;
    }
    if (knobs.tamper) {
      const tampered = knobs.tamper(xml);
      if (tampered === xml) throw new Error('tamper changed nothing');
      xml = tampered;
    }
    return { samlResponse: Buffer.from(xml, 'utf8').toString('base64'), inResponseTo, assertionId, relayState: query.RelayState };
  }
}

function makeKeyPair(dir: string, name: string): KeyPair {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}-cert.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=LangTrain test ${name}`, '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}

function authnStatement(instant: Date, classRef: string): string {
  return `<saml:AuthnStatement AuthnInstant="${instant.toISOString()}" SessionIndex="_${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>${escapeXml(classRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`;
}

function attributeStatement(user: TestSamlUser): string {
  const attributes: Record<string, string | string[]> = { ...user.attributes };
  if (user.email !== undefined) attributes.email = user.email;
  if (user.groups !== undefined) attributes.groups = user.groups;
  const entries = Object.entries(attributes);
  if (entries.length === 0) return '';
  const body = entries
    .map(([name, value]) => {
      const values = (Array.isArray(value) ? value : [value]).map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`).join('');
      return `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">${values}</saml:Attribute>`;
    })
    .join('');
  return `<saml:AttributeStatement>${body}</saml:AttributeStatement>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
