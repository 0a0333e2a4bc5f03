import { HttpStandIn, isObject } from '../../secrets/stand-ins/http-stand-in.js';

/**
 * A stand-in for Splunk's HTTP Event Collector, written from
 * https://docs.splunk.com/Documentation/Splunk/latest/Data/HECRESTendpoints and its error-code
 * table: `POST /services/collector/event` with `Authorization: Splunk <token>`, a body of
 * event objects one after another (each with `event`; `time`, `host`, `source`, `sourcetype`
 * optional), answered `{"text":"Success","code":0}`; a missing token 401 code 2, a wrong one
 * 403 code 4, no data 400 code 5, bad JSON 400 code 6, an object without `event` 400 code 12.
 * Not Splunk: no indexes, acks or channels.
 */
export async function startSplunkHec(token: string): Promise<{ hec: HttpStandIn; events: () => Array<Record<string, unknown>> }> {
  const accepted: Array<Record<string, unknown>> = [];
  const hec = await HttpStandIn.start((request) => {
    if (request.method !== 'POST' || request.path !== '/services/collector/event') return { status: 404, body: { text: 'The requested URL was not found on this server.', code: 404 } };
    const auth = request.headers.authorization;
    if (auth === undefined) return { status: 401, body: { text: 'Token is required', code: 2 } };
    if (auth !== `Splunk ${token}`) return { status: 403, body: { text: 'Invalid token', code: 4 } };
    const parts = request.body.split('\n').filter((line) => line.trim() !== '');
    if (parts.length === 0) return { status: 400, body: { text: 'No data', code: 5 } };
    const events: Array<Record<string, unknown>> = [];
    for (const [i, part] of parts.entries()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(part);
      } catch {
        return { status: 400, body: { text: 'Invalid data format', code: 6, 'invalid-event-number': i } };
      }
      if (!isObject(parsed) || parsed.event === undefined) return { status: 400, body: { text: 'Event field is required', code: 12, 'invalid-event-number': i } };
      events.push(parsed);
    }
    accepted.push(...events);
    return { status: 200, body: { text: 'Success', code: 0 } };
  });
  return { hec, events: () => accepted };
}
