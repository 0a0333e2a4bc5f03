import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../core/config.js';

/**
 * Paths pino censors before a line is written. Fastify's default request serializer keeps
 * no headers, so these are the second line of defence: a future serializer, a plugin or a
 * `log.info({ req })` that does include headers still never writes a credential.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
];

/** Where log lines go: anything with `write` (stdout by default). */
export interface LogDestination {
  write(line: string): void;
}

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** The server's pino options: the configured level, credential redaction, and an optional destination (tests capture it). */
export function loggerOptions(config: Config['server'], stream?: LogDestination): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Fastify logs each request's URL; a query string can carry credentials (an OIDC callback's
    // code and state), so only the path is written.
    serializers: { req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }) },
    ...(stream ? { stream } : {}),
  };
}
