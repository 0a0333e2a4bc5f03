import type { ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import helmet from 'helmet';

/**
 * Security headers on every response, errors and 404s included. The API serves JSON only,
 * so the CSP allows nothing at all: a response rendered by mistake as HTML can run no
 * script, load nothing and be framed by no one. HSTS for a year with subdomains: once a
 * client has seen the server over TLS it never falls back to plain HTTP (browsers ignore
 * it on plain-HTTP responses, so it is harmless behind a TLS-terminating proxy).
 *
 * helmet is run once, at start, against a recorder, and the headers it sets are then copied
 * onto each response. The headers do not depend on the request, and `@fastify/helmet`
 * rebuilt helmet's middleware (parsing the CSP again) on every request: a twentieth of
 * an authorization request's time, measured with `npm run bench -- authz`.
 */
export const securityHeaders = fp(
  async (app) => {
    const headers = helmetHeaders();
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'langtrain-security-headers' },
);

/** The headers; also set by app.ts on the router's own error replies, which no hook sees. */
export function helmetHeaders(): Record<string, string> {
  const middleware = helmet({
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
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
      return recorder;
    },
    // helmet removes X-Powered-By, which Fastify never sets.
    removeHeader() {},
  } as unknown as ServerResponse;
  let finished = false;
  middleware({} as never, recorder, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished) throw new Error('internal: helmet did not set its headers synchronously');
  return headers;
}
