import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A WebAuthn authenticator and client in software, for tests: what a browser and a platform
 * authenticator together hand to the server. ES256 (P-256) keys from node:crypto, `none`
 * attestation, authenticator data as WebAuthn §6.1 lays it out, CBOR by tiny-cbor.
 * Like a real one it refuses to register when it already holds an excluded credential, and
 * asserts only with a credential the request allows.
 */

/** Authenticator data flags (WebAuthn §6.1). */
const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;
/** COSE (RFC 9053): kty EC2, alg ES256, crv P-256. */
const COSE_EC2 = 2;
const COSE_ES256 = -7;
const COSE_P256 = 1;
/** `none` attestation carries no model information: an all-zero AAGUID. */
const AAGUID = new Uint8Array(16);

interface HeldCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  signCount: number;
}

export interface SoftwareAuthenticatorOptions {
  /** Set the backup-eligible and backed-up flags, as a synced passkey does. */
  backedUp?: boolean;
  /** Keep no counter: every assertion reports 0, as most synced passkeys do. */
  counterless?: boolean;
}

export interface RegistrationTweaks {
  /** false: the user touched the authenticator but was not verified (no UV flag). */
  userVerified?: boolean;
}

export interface AssertionTweaks {
  /** false: no UV flag. */
  userVerified?: boolean;
  /** Report this counter instead of the next (a replay or a clone); the authenticator's own count is left as it is. */
  signCount?: number;
  /** Flip one bit of the signature. */
  tamperSignature?: boolean;
  /** Assert with this credential even if the request does not allow it. */
  credentialId?: string;
  /** Put this user handle (base64url) in the response instead of the credential's. */
  userHandle?: string;
}

export class SoftwareAuthenticator {
  readonly #options: SoftwareAuthenticatorOptions;
  readonly #credentials: HeldCredential[] = [];

  constructor(options: SoftwareAuthenticatorOptions = {}) {
    this.#options = options;
  }

  get credentialIds(): string[] {
    return this.#credentials.map((c) => c.id);
  }

  /** `navigator.credentials.create({ publicKey: options })` on a page at `origin`. */
  register(options: PublicKeyCredentialCreationOptionsJSON, origin: string, tweaks: RegistrationTweaks = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    if (!options.pubKeyCredParams.some((p) => p.alg === COSE_ES256)) throw new Error('NotSupportedError: ES256 not offered');
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.#credentials.some((c) => c.rpId === rpId && excluded.has(c.id))) throw new Error('InvalidStateError: this authenticator holds an excluded credential');

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = encodeCBOR(
      new Map<number, CBORType>([
        [1, COSE_EC2],
        [3, COSE_ES256],
        [-1, COSE_P256],
        [-2, fromBase64url(jwk.x!)],
        [-3, fromBase64url(jwk.y!)],
      ]),
    );
    const rawId = randomBytes(32);
    const id = rawId.toString('base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(rawId.length);
    const flags = UP | AT | this.#userVerifiedFlag(tweaks.userVerified) | this.#backupFlags();
    const authData = Buffer.concat([rpIdHash(rpId), Buffer.from([flags]), counterBytes(0), AAGUID, idLength, rawId, coseKey]);
    const clientDataJSON = clientData('webauthn.create', options.challenge, origin);
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    this.#credentials.push({ id, rpId, userHandle: options.user.id, privateKey, signCount: 0 });
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        transports: ['internal'],
        publicKeyAlgorithm: COSE_ES256,
        publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64url'),
      },
    };
  }

  /** `navigator.credentials.get({ publicKey: options })` on a page at `origin`. */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, origin: string, tweaks: AssertionTweaks = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(origin).hostname;
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const held = tweaks.credentialId
      ? this.#credentials.find((c) => c.id === tweaks.credentialId)
      : this.#credentials.find((c) => c.rpId === rpId && (allowed.size === 0 || allowed.has(c.id)));
    if (!held) throw new Error('NotAllowedError: no credential for this request');

    let signCount = 0;
    if (!this.#options.counterless) {
      if (tweaks.signCount === undefined) held.signCount += 1;
      signCount = tweaks.signCount ?? held.signCount;
    }
    const flags = UP | this.#userVerifiedFlag(tweaks.userVerified) | this.#backupFlags();
    const authData = Buffer.concat([rpIdHash(rpId), Buffer.from([flags]), counterBytes(signCount)]);
    const clientDataJSON = clientData('webauthn.get', options.challenge, origin);
    // ECDSA over authData ‖ SHA-256(clientDataJSON), DER-encoded (WebAuthn §6.3.3, §6.5.6).
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), held.privateKey);
    if (tweaks.tamperSignature) signature[signature.length - 1]! ^= 0x01;
    return {
      id: held.id,
      rawId: held.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: tweaks.userHandle ?? held.userHandle,
      },
    };
  }

  #userVerifiedFlag(userVerified: boolean | undefined): number {
    return userVerified === false ? 0 : UV;
  }

  #backupFlags(): number {
    return this.#options.backedUp ? BE | BS : 0;
  }
}

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

function rpIdHash(rpId: string): Buffer {
  return sha256(Buffer.from(rpId, 'utf8'));
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function counterBytes(count: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(count);
  return bytes;
}

function fromBase64url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}
