import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { LangtrainError } from '../../core/errors.js';
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
 * per batch, ended cleanly, so a batch is sent whole or the send fails. Written here: the npm
 * syslog clients frame by line break (a multi-line message would be split) or are unmaintained.
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
      const fail = (err: Error) => {
        socket.destroy();
        reject(new LangtrainError('ERR_DELIVERY_FAILED', `syslog ${this.describe}: ${err.message}`));
      };
      const socket: Socket =
        this.url.protocol === 'tls:'
          ? tlsConnect({ host, port, servername: host, minVersion: 'TLSv1.2', ...(this.ca ? { ca: this.ca } : {}) }, () => write())
          : tcpConnect({ host, port }, () => write());
      const write = () => {
        socket.end(Buffer.concat(frames));
      };
      socket.setTimeout(SEND_TIMEOUT_MS, () => fail(new Error('timed out')));
      socket.once('error', fail);
      socket.once('close', (hadError) => {
        if (!hadError) resolve();
      });
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
 * `{"code":0}`. The token is never put in an error or a log.
 */
export class SplunkHecDestination implements SiemDestination {
  readonly describe: string;
  readonly #token: string;

  constructor(
    readonly url: URL,
    token: string,
    readonly format: SiemFormat,
    readonly productVersion: string,
    readonly ca?: string,
  ) {
    this.#token = token;
    this.describe = `${url.protocol}//${url.host}${url.pathname}`;
  }

  send(records: readonly SiemRecord[]): Promise<void> {
    const body = records
      .map((r) => JSON.stringify({ time: Date.parse(r.timestamp) / 1000, host: HOSTNAME, source: 'langtrain', sourcetype: this.format === 'cef' ? 'cef' : '_json', event: this.format === 'cef' ? messageOf(r, 'cef', this.productVersion) : r }))
      .join('\n');
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<void>((resolve, reject) => {
      const fail = (why: string) => reject(new LangtrainError('ERR_DELIVERY_FAILED', `Splunk HEC ${this.describe}: ${why}`));
      const req = request(
        this.url,
        { method: 'POST', headers: { authorization: `Splunk ${this.#token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: SEND_TIMEOUT_MS, ...(this.ca ? { ca: this.ca } : {}) },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk.slice(0, 4096)));
          res.on('end', () => {
            let answer: { code?: unknown; text?: unknown } = {};
            try {
              answer = JSON.parse(text) as typeof answer;
            } catch {
              // not HEC's JSON: reported by status below
            }
            if (res.statusCode === 200 && answer.code === 0) return resolve();
            const said = typeof answer.text === 'string' ? `: ${answer.text.slice(0, 200)}` : '';
            fail(`HTTP ${res.statusCode}${said}${res.statusCode === 401 || res.statusCode === 403 ? ' (check the HEC token)' : ''}`);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => fail(err.message));
      req.end(body);
    });
  }
}
