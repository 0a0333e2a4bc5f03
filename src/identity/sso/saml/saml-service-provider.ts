import { inflateRawSync } from 'node:zlib';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { LangtrainError, invalidInput } from '../../../core/errors.js';
import type { Store } from '../../../store/database.js';
import type { SsoIdentity } from '../sso-identity.js';
import { AssertionLedger } from './assertion-ledger.js';
import { PendingSamlRequests } from './pending-requests.js';
import { readAssertion } from './saml-assertion.js';
import { fromNodeSamlError, samlFailure } from './saml-failure.js';
import { parseSamlServiceProviderOptions, type SamlServiceProviderOptions, type SamlServiceProviderSettings } from './saml-options.js';

export type { SamlServiceProviderOptions } from './saml-options.js';

export interface SamlServiceProviderDeps {
  /** Migrated with `samlMigrations` (domain `saml`); shared by every server instance. */
  store: Store;
}

export interface SamlLoginStart {
  /** Send the browser here (HTTP 302): the IdP's SSO URL with the AuthnRequest. */
  redirectUrl: string;
  /** The AuthnRequest's ID. Keep it with the browser's pre-sign-in state and give it back to `finish`. */
  requestId: string;
}

/**
 * How long a sent AuthnRequest can be answered: enough to sign in at the IdP, second
 * factor and all; an abandoned request stops being answerable soon after.
 */
const REQUEST_LIFETIME_MS = 15 * 60_000;
/** SAML bindings §3.4.3 / §3.5.3: RelayState must not exceed 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;
/** Far above a real response (Entra ID with 150 groups is ~60 KB); bounds the XML parsing. */
const MAX_RESPONSE_CHARS = 1024 * 1024;

/**
 * A SAML 2.0 service provider for one IdP (the seed's `sso_providers["okta"]` entry), SP-
 * initiated over HTTP-Redirect (AuthnRequest) and HTTP-POST (Response), with node-saml
 * doing the XML signature and condition checks.
 *
 * ```ts
 * await migrate(store, 'saml', samlMigrations);
 * const okta = new SamlServiceProvider({ name: 'okta', samlEndpoint: 'https://company.okta.com/app/…/sso/saml',
 *   certificatePath: '/certs/okta.pem', entityId: 'https://langtrain.example.com/saml', callbackUrl: 'https://langtrain.example.com/v1/auth/saml/okta/acs' }, { store });
 * const { redirectUrl, requestId } = await okta.start();       // keep requestId with the browser's pre-sign-in state
 * const identity = await okta.finish(body.SAMLResponse, body.RelayState, requestId);
 * ```
 *
 * What `finish` accepts:
 * - the assertion signed by a certificate in `certificatePath` (a signed Response around
 *   an unsigned assertion is refused: the assertion is what is trusted);
 * - its Audience is `audience`, a SubjectConfirmation's Recipient is `callbackUrl`, and now
 *   lies in its NotBefore..NotOnOrAfter windows give or take `maxClockSkewMs`;
 * - in answer to a request this provider sent (on any instance sharing the store) within
 *   the last 15 minutes and not answered yet: IdP-initiated (unsolicited) responses are refused;
 * - never twice: each assertion id is recorded until it expires (AssertionLedger);
 * - a NameID that is not transient (it becomes the stable `subject`).
 *
 * Anything else fails with ERR_SSO_FAILED, `details.reason` naming the check
 * (SamlFailureReason); the message never quotes the response.
 *
 * node-saml reads the system clock for its time checks, so this class has no clock to inject.
 */
export class SamlServiceProvider {
  readonly name: string;
  readonly #settings: SamlServiceProviderSettings;
  readonly #saml: SAML;
  readonly #ledger: AssertionLedger;
  readonly #pending: PendingSamlRequests;

  constructor(options: SamlServiceProviderOptions, deps: SamlServiceProviderDeps) {
    const settings = parseSamlServiceProviderOptions(options);
    if (!deps?.store?.db) throw new LangtrainError('ERR_CONFIG_INVALID', `SamlServiceProvider(${settings.name}) needs a store (deps.store)`);
    this.name = settings.name;
    this.#settings = settings;
    this.#ledger = new AssertionLedger(deps.store);
    this.#pending = new PendingSamlRequests(deps.store, settings.name, REQUEST_LIFETIME_MS);
    this.#saml = new SAML({
      entryPoint: settings.samlEndpoint,
      issuer: settings.entityId,
      callbackUrl: settings.callbackUrl,
      audience: settings.audience,
      idpCert: settings.idpCertificates,
      wantAssertionsSigned: true,
      // The assertion's own signature is required above; many IdPs sign only the assertion.
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: REQUEST_LIFETIME_MS,
      cacheProvider: this.#pending,
      acceptedClockSkewMs: settings.maxClockSkewMs,
      // Let the IdP use the NameID format and authentication method its app is configured
      // for: an exact RequestedAuthnContext of "password" makes Entra ID and AD FS refuse
      // users who sign in another way, and the class actually used is read from the assertion.
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      authnRequestBinding: 'HTTP-Redirect',
    });
  }

  /** A new AuthnRequest, recorded as pending in the store. `relayState` (at most 80 bytes) comes back with the response. */
  async start(relayState?: string): Promise<SamlLoginStart> {
    checkRelayState(relayState);
    const redirectUrl = await this.#saml.getAuthorizeUrlAsync(relayState ?? '', undefined, {});
    return { redirectUrl, requestId: authnRequestId(redirectUrl) };
  }

  /**
   * Verify the posted SAMLResponse and return who signed in. `relayState` is the posted
   * RelayState; it is not covered by any signature, so the caller treats it as untrusted
   * (e.g. a return path checked against its own). With `expectedRequestId` (the `requestId`
   * this browser's `start` returned) the response must answer that very request, so a
   * response obtained elsewhere cannot be planted in this browser (login CSRF).
   */
  async finish(samlResponse: string, relayState?: string, expectedRequestId?: string): Promise<SsoIdentity> {
    if (typeof samlResponse !== 'string' || samlResponse.length === 0) throw invalidInput('finish takes the SAMLResponse form field (base64)');
    if (samlResponse.length > MAX_RESPONSE_CHARS) throw samlFailure(this.name, 'malformed', `the SAMLResponse is over ${MAX_RESPONSE_CHARS} characters`);
    checkRelayState(relayState);
    if (expectedRequestId !== undefined && typeof expectedRequestId !== 'string') throw invalidInput('expectedRequestId must be the requestId start returned, or omitted');

    let profile;
    try {
      ({ profile } = await this.#saml.validatePostResponseAsync({ SAMLResponse: samlResponse, ...(relayState ? { RelayState: relayState } : {}) }));
    } catch (err) {
      throw fromNodeSamlError(this.name, err);
    }
    // A LogoutResponse or a passive "no session" answer: valid SAML, but nobody signed in.
    if (!profile) throw samlFailure(this.name, 'invalid', 'the response signs nobody in (a logout or passive response)');

    let assertion;
    try {
      assertion = readAssertion(profile, { provider: this.name, ...this.#settings });
      if (expectedRequestId !== undefined && assertion.inResponseTo !== expectedRequestId) throw samlFailure(this.name, 'request_mismatch');
    } catch (err) {
      // node-saml ends a request on its own refusals; ours end it too, so a request gets one answer.
      await this.#pending.removeAsync(typeof profile.inResponseTo === 'string' ? profile.inResponseTo : null);
      throw err;
    }
    const fresh = await this.#ledger.consume({ assertionId: assertion.assertionId, keepUntil: assertion.keepUntil, requestId: assertion.inResponseTo, provider: this.name });
    if (!fresh) throw samlFailure(this.name, 'replay');
    return assertion.identity;
  }

  /** This service provider's SAML metadata (entity id, ACS URL, signed assertions wanted), for registering it at the IdP. */
  metadata(): string {
    return this.#saml.generateServiceProviderMetadata(null, null);
  }
}

function checkRelayState(relayState: unknown): void {
  if (relayState === undefined) return;
  if (typeof relayState !== 'string' || Buffer.byteLength(relayState) > MAX_RELAY_STATE_BYTES) {
    throw invalidInput(`relayState must be a string of at most ${MAX_RELAY_STATE_BYTES} bytes (SAML bindings), or omitted`);
  }
}

/** The ID of the AuthnRequest node-saml just built and deflated into the redirect URL. */
function authnRequestId(redirectUrl: string): string {
  const encoded = new URL(redirectUrl).searchParams.get('SAMLRequest') ?? '';
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const id = /<samlp:AuthnRequest\b[^>]*?\sID="([^"]+)"/.exec(xml)?.[1];
  if (!id) throw new LangtrainError('ERR_INTERNAL', 'node-saml built an AuthnRequest without an ID');
  return id;
}
