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

/**
 * Written as `url` for a request that matched no route. Its path may still hold a subject id
 * or a token (a mistyped `/v1/consent/alice@example.com/exprot`), and a log line cannot tell
 * which segment is one, so none of it is written: the method, the 404 in "request completed"
 * and the request id are enough to spot probing; the path itself is not worth a data leak.
 */
export const UNMATCHED_ROUTE = '(no matching route)';

/** What a request serializer is handed: Fastify's request (with its route) or, from a plugin, a bare one. */
interface LoggedRequest {
  method: string;
  ip?: string;
  is404?: boolean;
  routeOptions?: { url?: string };
}

/**
 * A request as logged: the route's pattern (`/v1/consent/:userId/export`), never the raw URL,
 * whose path parameters are subject ids (often emails), names and digests, and whose query
 * string can carry credentials (an OIDC callback's code and state) or search terms.
 */
export function serializeRequest(req: LoggedRequest): { method: string; url: string; remoteAddress: string | undefined } {
  return { method: req.method, url: routeOf(req), remoteAddress: req.ip };
}

/** A request's route as logged and audited: its pattern, or UNMATCHED_ROUTE; never the raw path. */
export function routeOf(req: Pick<LoggedRequest, 'is404' | 'routeOptions'>): string {
  return (req.is404 ? undefined : req.routeOptions?.url) ?? UNMATCHED_ROUTE;
}

/** The server's pino options: the configured level, credential redaction, and an optional destination (tests capture it). */
export function loggerOptions(config: Config['server'], stream?: LogDestination): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest },
    ...(stream ? { stream } : {}),
  };
}
