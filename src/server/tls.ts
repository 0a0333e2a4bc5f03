import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { Config } from '../core/config.js';
import { LangtrainError } from '../core/errors.js';

/**
 * HTTPS options when `server.tlsCert` and `server.tlsKey` are set, else undefined (plain
 * HTTP, e.g. behind a TLS-terminating proxy on loopback). TLS 1.3 only: it drops the
 * legacy cipher suites, renegotiation and RSA key exchange that 1.2 still allows, and every
 * client we serve (Node, Python, Go, browsers) has spoken it for years.
 *
 * With `server.clientCa`, clients are asked for a certificate (mTLS for service-to-service
 * calls, see plugins/service-auth.ts); `server.requireClientCert` makes it mandatory.
 */
export function tlsOptions(server: Config['server']): (TlsOptions & SecureContextOptions) | undefined {
  if (server.tlsCert === undefined || server.tlsKey === undefined) return undefined;
  const options: TlsOptions & SecureContextOptions = {
    cert: readPem(server.tlsCert, 'server.tlsCert'),
    key: readPem(server.tlsKey, 'server.tlsKey'),
    minVersion: 'TLSv1.3',
  };
  if (server.clientCa !== undefined) {
    // mTLS: ask every client for a certificate, verified against clientCa only (not the
    // system roots). Without requireClientCert a client may still connect without one (or
    // with one that does not verify) and authenticate with a bearer token instead.
    options.ca = readPem(server.clientCa, 'server.clientCa');
    options.requestCert = true;
    options.rejectUnauthorized = server.requireClientCert === true;
  } else if (server.requireClientCert === true) {
    // parseConfig refuses this; kept for a Config built by hand.
    throw new LangtrainError('ERR_CONFIG_INVALID', 'server.requireClientCert: true needs server.clientCa', { option: 'server.requireClientCert' });
  }
  return options;
}

function readPem(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (err as Error).message;
    throw new LangtrainError('ERR_CONFIG_INVALID', `${option}: cannot read ${path}: ${reason}`, { option, path });
  }
}
