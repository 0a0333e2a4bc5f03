import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The part every stand-in shares: a node:http server on 127.0.0.1, port 0, that records each
 * request, answers through the service's handler, and can be told to fail chosen requests
 * (to test error paths, including bodies that quote what was sent).
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  /** Serialised as JSON unless a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

interface Fault {
  match: (request: RecordedRequest) => boolean;
  reply: (request: RecordedRequest) => Reply;
  remaining: number;
}

export class HttpStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly #faults: Fault[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(handler: Handler, contentType = 'application/json; charset=utf-8'): Promise<HttpStandIn> {
    let standIn: HttpStandIn | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stand-in');
        const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        standIn!.requests.push(request);
        void (async () => {
          let reply: Reply;
          try {
            const fault = standIn!.#takeFault(request);
            reply = fault ? fault.reply(request) : await handler(request);
          } catch (err) {
            reply = { status: 500, body: { message: `stand-in failure: ${(err as Error).message}` } };
          }
          const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status, { ...(text === '' ? {} : { 'content-type': contentType }), ...reply.headers });
          res.end(text);
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    standIn = new HttpStandIn(server, `http://127.0.0.1:${port}`);
    return standIn;
  }

  /** Answer the next `times` requests matching `match` with `reply` instead of the handler. */
  failWhen(match: (request: RecordedRequest) => boolean, reply: (request: RecordedRequest) => Reply, times = 1): void {
    this.#faults.push({ match, reply, remaining: times });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #takeFault(request: RecordedRequest): Fault | undefined {
    const fault = this.#faults.find((f) => f.remaining > 0 && f.match(request));
    if (fault) fault.remaining -= 1;
    return fault;
  }
}

/** A JSON body, or a 400 the caller turns into the service's own error shape. */
export function parseJson(body: string): unknown {
  return body === '' ? undefined : JSON.parse(body);
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
