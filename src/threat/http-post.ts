import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What a receiver answered; `text` is its first 4 KiB (enough for an error message, bounded whatever it sends). */
export interface PostAnswer {
  status: number;
  text: string;
}

const MAX_ANSWER = 4_096;
const CUT_SHORT = 'the connection closed before the whole answer came';

/**
 * POSTs `body` and resolves with the answer once it has come whole; rejects, with a message that
 * names no part of the URL (a webhook's path may be its secret), when the request fails, when the
 * connection closes before the answer is complete, or after `timeoutMs` in all: a receiver that
 * stalls or drops the connection half-way never leaves the caller waiting.
 */
export function postJson(url: URL, body: string, headers: Record<string, string>, options: { timeoutMs: number; ca?: string }): Promise<PostAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostAnswer>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome();
    };
    const fail = (why: string) => settle(() => reject(new Error(why)));
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, ...(options.ca ? { ca: options.ca } : {}) },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          if (text.length < MAX_ANSWER) text += chunk.slice(0, MAX_ANSWER - text.length);
        });
        res.on('end', () => settle(() => resolve({ status: res.statusCode ?? 0, text })));
        // an answer cut short shows as 'aborted' or an early close, never as 'end'
        res.on('error', () => fail(CUT_SHORT));
        res.on('close', () => fail(CUT_SHORT));
      },
    );
    const deadline = setTimeout(() => {
      fail(`no answer within ${options.timeoutMs / 1000} s`);
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (err) => fail(err.message));
    req.end(body);
  });
}
