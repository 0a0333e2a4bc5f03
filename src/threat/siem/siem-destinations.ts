import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { readCredential, type CredentialReference } from '../../core/credential-reference.js';
import { LangtrainError } from '../../core/errors.js';
import { postJson, type PostAnswer } from '../http-post.js';
import { formatCef } from './cef.js';
import type { SiemRecord } from './siem-record.js';

export type SiemFormat = 'cef' | 'json';

/** Where records go; `send` resolves once the destination has taken them all, and rejects, saying why, otherwise. */
export interface SiemDestination {
  /** For status and errors: the endpoint without credentials. */
  readonly describe: string;
  send(records: readonly SiemRecord[]): Promise<void>;
}

const SEND_TIMEOUT_MS = 15_000;

/** The record as the destination's message body: a CEF line or the record as JSON. */
export function messageOf(record: SiemRecord, format: SiemFormat, productVersion: string): string {
  return format === 'cef' ? formatCef(record, productVersion) : JSON.stringify(record);
}

/**
 * Syslog (RFC 5424) over TCP or TLS (RFC 5425), each message octet-counted (RFC 6587 §3.4.1:
 * `LEN SP MSG`), so a message is never split or joined at a line break: what rsyslog, syslog-ng
 * and the SIEMs' syslog inputs read. Facility 13 (log audit); severity alert (1) for an alert,
 * warning (4) for a failure, informational (6) otherwise; MSGID the event type. One connection
 * per batch: taken once the receiver, having read to our end of the stream, closes its side;
 * an error, a reset, a receiver that closes before our batch has left this host or one silent
 * past the deadline fails the send (it is sent again). TCP says no more than that: a receiver
 * that accepts and closes at once, or closes with the batch in its buffers unread, goes
 * unnoticed (RFC 6587 has no acknowledgement; Splunk HEC's answer is one).
 * Written here: the npm syslog clients frame by line break (a multi-line message would be
 * split) or are unmaintained.
 */
export class SyslogDestination implements SiemDestination {
  readonly describe: string;

  constructor(
    readonly url: URL,
    readonly format: SiemFormat,
    readonly productVersion: string,
    readonly ca?: string,
  ) {
    this.describe = `${url.protocol}//${url.host}`;
  }

  send(records: readonly SiemRecord[]): Promise<void> {
    const frames = records.map((r) => {
      const message = Buffer.from(syslogMessage(r, messageOf(r, this.format, this.productVersion)), 'utf8');
      return Buffer.concat([Buffer.from(`${message.length} `), message]);
    });
    const port = Number(this.url.port || (this.url.protocol === 'tls:' ? 6514 : 514));
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let written = false;
      let peerEnded = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        outcome();
      };
      const fail = (why: string) =>
        settle(() => {
          socket.destroy();
          reject(new LangtrainError('ERR_DELIVERY_FAILED', `syslog ${this.describe}: ${why}`));
        });
      const write = () => socket.end(Buffer.concat(frames), () => (written = true));
      const socket: Socket =
        this.url.protocol === 'tls:'
          ? tlsConnect({ host, port, minVersion: 'TLSv1.2', ...(isIP(host) === 0 ? { servername: host } : {}), ...(this.ca ? { ca: this.ca } : {}) }, write)
          : tcpConnect({ host, port }, write);
      const deadline = setTimeout(() => fail(`the receiver did not take the batch and close within ${SEND_TIMEOUT_MS / 1000} s`), SEND_TIMEOUT_MS);
      socket.once('error', (err) => fail(err.message));
      socket.on('end', () => {
        // a receiver closes after reading to our end; one that closes first did not take the batch
        if (!written) fail('the receiver closed the connection before taking the batch');
        peerEnded = true;
      });
      socket.once('close', () => (written && peerEnded ? settle(resolve) : fail('the connection closed before the batch was taken')));
      socket.resume(); // a receiver may answer nothing; drain whatever it sends
    });
  }
}

const HOSTNAME = printable(hostname(), 255);

function syslogMessage(record: SiemRecord, message: string): string {
  const severity = record.severity >= 8 ? 1 : record.severity >= 5 ? 4 : 6;
  const pri = 13 * 8 + severity;
  return `<${pri}>1 ${record.timestamp} ${HOSTNAME} langtrain ${process.pid} ${printable(record.eventType, 32)} - ${message}`;
}

/** RFC 5424 header fields are printable US-ASCII without spaces; `-` when nothing is left. */
function printable(value: string, max: number): string {
  const kept = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return kept === '' ? '-' : kept;
}

/**
 * Splunk's HTTP Event Collector (`POST /services/collector/event`, `Authorization: Splunk
 * <token>`): a batch is one request of concatenated event objects, taken when Splunk answers
 * `{"code":0}`. The token is read from its reference at each send (a rotated one is taken up
 * at once) and never put in an error or a log.
 */
export class SplunkHecDestination implements SiemDestination {
  readonly describe: string;

  constructor(
    readonly url: URL,
    private readonly token: CredentialReference,
    readonly format: SiemFormat,
    readonly productVersion: string,
    readonly ca?: string,
  ) {
    this.describe = `${url.protocol}//${url.host}${url.pathname}`;
  }

  async send(records: readonly SiemRecord[]): Promise<void> {
    const body = records
      .map((r) => JSON.stringify({ time: Date.parse(r.timestamp) / 1000, host: HOSTNAME, source: 'langtrain', sourcetype: this.format === 'cef' ? 'cef' : '_json', event: this.format === 'cef' ? messageOf(r, 'cef', this.productVersion) : r }))
      .join('\n');
    const token = readCredential(this.token, 'SecurityMonitor.configureSiemIntegration token');
    let answer: PostAnswer;
    try {
      answer = await postJson(this.url, body, { authorization: `Splunk ${token}` }, { timeoutMs: SEND_TIMEOUT_MS, ...(this.ca ? { ca: this.ca } : {}) });
    } catch (err) {
      throw new LangtrainError('ERR_DELIVERY_FAILED', `Splunk HEC ${this.describe}: ${(err as Error).message}`);
    }
    let parsed: { code?: unknown; text?: unknown } = {};
    try {
      parsed = JSON.parse(answer.text) as typeof parsed;
    } catch {
      // not HEC's JSON: reported by status below
    }
    if (answer.status === 200 && parsed.code === 0) return;
    const said = typeof parsed.text === 'string' ? `: ${parsed.text.slice(0, 200)}` : '';
    throw new LangtrainError('ERR_DELIVERY_FAILED', `Splunk HEC ${this.describe}: HTTP ${answer.status}${said}${answer.status === 401 || answer.status === 403 ? ' (check the HEC token)' : ''}`);
  }
}
