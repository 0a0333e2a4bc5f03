import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CREDENTIAL_REFERENCE, readCredential, type CredentialReference } from '../../core/credential-reference.js';
import { LangtrainError } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import { SplunkHecDestination, SyslogDestination, type SiemDestination, type SiemFormat } from './siem-destinations.js';

/** The seed's `configure_siem_integration(siem_type, endpoint, format, real_time_streaming)`, camelCased, plus what a real connection needs. */
export interface SiemIntegrationOptions {
  /** `splunk` (HTTP Event Collector) or `syslog` (RFC 5424 over TCP or TLS: rsyslog, syslog-ng, QRadar, ArcSight, Sentinel's agent). */
  siemType: 'splunk' | 'syslog' | (string & {});
  /** splunk: `https://host:8088` (the HEC path is added when none is given); syslog: `tls://host:6514` or `tcp://host:514`. */
  endpoint: string;
  /** `cef` (default) or `json`. */
  format?: SiemFormat | (string & {});
  /** Send as the log grows (default true, the only mode: a batch export is `langtrain audit export`). */
  realTimeStreaming?: boolean;
  /** splunk: the HEC token, by reference: `env:NAME` or `file:PATH`, never the token itself. */
  token?: CredentialReference | (string & {});
  /** PEM file of the CA that signs the SIEM's certificate, when not a public one (https:, tls:). */
  caFile?: string;
  /** `all` (default): every audit entry; `alerts`: the monitor's alerts and their handling only. */
  events?: 'all' | 'alerts';
  /** Also send the log's history (default false: from the entry the log is at now). */
  backfill?: boolean;
  /**
   * `withhold` (default): on a log that seals payloads, entries naming a user go without their
   * payload and pseudonymous ids stay pseudonyms (siem-record.ts); `send`: opened, whole, and
   * the SIEM's copy is then beyond the reach of an erasure.
   */
  sealedPayloads?: 'withhold' | 'send';
}

export interface SiemSettings {
  destination: SiemDestination;
  format: SiemFormat;
  events: 'all' | 'alerts';
  backfill: boolean;
  sendSealed: boolean;
}

const SIEM_TYPES = ['splunk', 'syslog'] as const;
const FORMATS = ['cef', 'json'] as const;

const schema = z.strictObject({
  siemType: z.string(),
  endpoint: z.string().min(1),
  format: z.string().default('cef'),
  realTimeStreaming: z.boolean().default(true),
  token: z.string().optional(),
  caFile: z.string().min(1).optional(),
  events: z.enum(['all', 'alerts']).default('all'),
  backfill: z.boolean().default(false),
  sealedPayloads: z.enum(['withhold', 'send']).default('withhold'),
});

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function parseSiemOptions(input: unknown, productVersion: string): SiemSettings {
  const o = parseOptions(schema, input, 'SecurityMonitor.configureSiemIntegration');
  const refuse = (message: string): never => {
    throw new LangtrainError('ERR_CONFIG_UNSUPPORTED_OPTION', `SecurityMonitor.configureSiemIntegration: ${message}`);
  };
  if (!(SIEM_TYPES as readonly string[]).includes(o.siemType)) refuse(`siemType ${o.siemType} is not supported (supported: ${SIEM_TYPES.join(', ')}; most SIEMs take syslog)`);
  if (!(FORMATS as readonly string[]).includes(o.format)) refuse(`format ${o.format} is not supported (supported: ${FORMATS.join(', ')})`);
  if (!o.realTimeStreaming) refuse('realTimeStreaming false is not supported: events stream as the log grows; for a batch, export the log (langtrain audit export)');
  let url: URL;
  try {
    url = new URL(o.endpoint);
  } catch {
    return refuse(`endpoint is not a URL (e.g. ${o.siemType === 'splunk' ? 'https://splunk.example.com:8088' : 'tls://siem.example.com:6514'})`);
  }
  if (url.username || url.password) refuse('endpoint must not hold credentials: give the token as token: env:NAME or file:PATH');
  const ca = o.caFile === undefined ? undefined : readCa(o.caFile);
  const format = o.format as SiemFormat;
  if (o.siemType === 'splunk') {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) refuse(`endpoint: Splunk HEC takes https: (plain http: only on loopback, as the token would cross the network in clear), got ${url.protocol}`);
    if (o.token === undefined) refuse('token: Splunk HEC needs its token, as env:NAME or file:PATH');
    if (!CREDENTIAL_REFERENCE.test(o.token!)) refuse('token: must be a credential reference, env:NAME or file:/path, never the token itself');
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/services/collector/event';
    readCredential(o.token as CredentialReference, 'SecurityMonitor.configureSiemIntegration token'); // refused now if it cannot be read, not at the first send
    return { destination: new SplunkHecDestination(url, o.token as CredentialReference, format, productVersion, ca), format, events: o.events, backfill: o.backfill, sendSealed: o.sealedPayloads === 'send' };
  }
  if (o.token !== undefined) refuse('token: syslog takes none (authenticate the connection with TLS: tls://)');
  if (url.protocol === 'udp:') refuse('endpoint: syslog over UDP drops events without a word, so it is not supported: use tls:// (RFC 5425) or tcp://');
  if (url.protocol !== 'tcp:' && url.protocol !== 'tls:') refuse(`endpoint: syslog takes tls://host:port or tcp://host:port, got ${url.protocol}`);
  if (ca !== undefined && url.protocol !== 'tls:') refuse('caFile: only for tls://');
  return { destination: new SyslogDestination(url, format, productVersion, ca), format, events: o.events, backfill: o.backfill, sendSealed: o.sealedPayloads === 'send' };
}

function readCa(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LangtrainError('ERR_CONFIG_INVALID', `SecurityMonitor.configureSiemIntegration caFile: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new LangtrainError('ERR_CONFIG_INVALID', `SecurityMonitor.configureSiemIntegration caFile: ${path} holds no PEM certificate`);
  return pem;
}
