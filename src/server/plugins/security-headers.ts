import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * Security headers on every response, errors and 404s included. The API serves JSON only,
 * so the CSP allows nothing at all: a response rendered by mistake as HTML can run no
 * script, load nothing and be framed by no one. HSTS for a year with subdomains: once a
 * client has seen the server over TLS it never falls back to plain HTTP (browsers ignore
 * it on plain-HTTP responses, so it is harmless behind a TLS-terminating proxy).
 */
export const securityHeaders = fp(
  async (app) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
      // Matches frame-ancestors 'none' for browsers that predate CSP.
      frameguard: { action: 'deny' },
      hsts: { maxAge: 31_536_000, includeSubDomains: true },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
    });
  },
  { name: 'langtrain-security-headers' },
);
