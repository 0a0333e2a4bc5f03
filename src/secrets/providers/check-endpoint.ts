import { LangtrainError } from '../../core/errors.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A provider address: https, or plain http only to this machine (a Vault dev server, a
 * local stand-in). Anything else would send tokens and secret values across the network in
 * clear, so it is refused rather than trusted to a private network.
 */
export function checkEndpoint(address: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new LangtrainError('ERR_CONFIG_INVALID', `${option}: not a URL`, { option });
  }
  if (url.username || url.password) throw new LangtrainError('ERR_CONFIG_INVALID', `${option}: must not carry credentials; give them by reference`, { option });
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url;
  throw new LangtrainError('ERR_CONFIG_INVALID', `${option}: ${url.protocol}//${url.host} must use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)`, { option });
}
