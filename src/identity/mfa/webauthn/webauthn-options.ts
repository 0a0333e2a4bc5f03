import { z } from 'zod';
import { durationField, parseOptions } from '../../../core/options.js';

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const MIN_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 600_000;

/** `https://host[:port]` exactly as a browser reports it in clientDataJSON; `http` only for localhost (a secure context too). */
function isOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
  return secure && url.origin === value;
}

/** WebAuthn §5.1.3: the RP ID must equal the origin's effective domain or be a registrable suffix of it. */
function originWithinRpId(origin: string, rpId: string): boolean {
  const host = new URL(origin).hostname;
  return host === rpId || host.endsWith(`.${rpId}`);
}

const optionsSchema = z
  .strictObject({
    /** The relying party id: a domain (`example.com`), no scheme, port or path. Credentials are bound to it for good. */
    rpId: z
      .string()
      .regex(HOST_NAME, 'must be a lower-case domain such as example.com or localhost (no scheme, port or path)')
      .refine((id) => !/^[0-9.]+$/.test(id), 'must be a domain, not an IP address (browsers refuse IP addresses as RP IDs)'),
    /** Shown by the browser or authenticator when the user creates a passkey. */
    rpName: z.string().trim().min(1, 'must not be empty').max(64),
    /** Every origin a ceremony may come from, e.g. `https://app.example.com`. */
    origins: z
      .array(z.string().refine(isOrigin, 'must be an origin such as https://example.com (scheme, host, optional port; no path or trailing slash); http only for localhost'))
      .min(1, 'must list at least one origin, e.g. https://example.com'),
    /**
     * How long the browser waits for the user. WebAuthn §15.1 recommends 5 to 10 minutes
     * when user verification is required, as it always is here.
     */
    timeout: durationField('timeout')
      .prefault('5m')
      .refine((ms) => ms >= MIN_TIMEOUT_MS && ms <= MAX_TIMEOUT_MS, 'must be from 10s to 10m'),
  })
  .superRefine((settings, ctx) => {
    settings.origins.forEach((origin, i) => {
      if (isOrigin(origin) && !originWithinRpId(origin, settings.rpId)) {
        ctx.addIssue({ code: 'custom', path: ['origins', i], message: `${origin} is not on ${settings.rpId} or a subdomain of it, so no browser would use the RP ID there` });
      }
    });
  });

export type WebAuthnOptions = z.input<typeof optionsSchema>;
export type WebAuthnSettings = z.output<typeof optionsSchema>;

/** Checked once, at construction; every problem is named (parseOptions). */
export function parseWebAuthnOptions(options: unknown): WebAuthnSettings {
  return parseOptions(optionsSchema, options, 'WebAuthnCredentials');
}
