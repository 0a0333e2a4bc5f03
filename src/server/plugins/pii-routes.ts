import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { invalidInput } from '../../core/errors.js';
import { scannerFor, type ScanSettings } from '../../privacy/pii/entity-scanner.js';
import { DEFAULT_CONFIDENCE_THRESHOLD } from '../../privacy/pii/pii-options.js';
import type { EntityType } from '../../privacy/pii/entity-types.js';
import { piiRedactionKeys, syntheticSeedFor } from '../../privacy/pii/pii-keys.js';
import { loadRecordRedactor, type RedactionSpec } from '../../privacy/pii/redactor.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { detectBody, detectReply, redactBody, redactReply } from '../schemas/pii.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requirePermission } from './authentication.js';

const tags = ['pii'];
const security = AUTHENTICATED;

/**
 * `/v1/pii/detect` and `/v1/pii/redact` (permissions `pii.detect`, `pii.redact`): one text or
 * up to 1000. Redactions are audited as `pii.redacted` with offsets, types, recognizers and
 * scores, never the values. `synthetic` fakes are consistent within one request, or across
 * requests naming the same `dataset` (a seed derived from keyring key `pii`); `hash` pseudonyms
 * are the deployment's, the same in every request.
 */
export const piiRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  const scanOf = (body: { types?: EntityType[]; threshold?: number }): ScanSettings => ({ ...(body.types ? { types: body.types } : {}), threshold: body.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD });
  const list = (text: string | string[]) => (typeof text === 'string' ? [text] : text);

  app.post(
    '/detect',
    { onRequest: requirePermission(manager, 'pii.detect'), schema: { tags, security, summary: 'Find personal data in one text or a list', body: detectBody, response: { 200: detectReply } } },
    async (request) => {
      const scanner = scannerFor(scanOf(request.body));
      return { results: scanner.scanAll(list(request.body.text)).map((spans) => ({ spans })) };
    },
  );

  app.post(
    '/redact',
    { onRequest: requirePermission(manager, 'pii.redact'), schema: { tags, security, summary: 'Redact personal data in one text or a list', body: redactBody, response: { 200: redactReply } } },
    async (request) => {
      const { method, preserveFormat, dataset } = request.body;
      if (preserveFormat && method !== 'masking') throw invalidInput('preserveFormat applies to method masking');
      if (dataset !== undefined && method !== 'synthetic') throw invalidInput('dataset applies to method synthetic (the same fakes across requests)');
      const redaction: RedactionSpec =
        method === 'masking' ? { method, preserveFormat }
        : method === 'synthetic' ? { method, seed: dataset !== undefined ? await syntheticSeedFor(manager.keyring, dataset) : randomBytes(32) }
        : method === 'removal' ? { method }
        : { method, key: (await piiRedactionKeys(manager.keyring)).hashKey };
      const redactor = await loadRecordRedactor({ scan: scanOf(request.body), redaction });
      const texts = list(request.body.text);
      const results = redactor.detectAll(texts).map((spans, i) => ({ text: spans.length === 0 ? texts[i]! : redactor.redact(texts[i]!, spans), spans }));
      const redactions = results.flatMap((r, record) => r.spans.map(({ start, end, type, recognizer, score }) => ({ record, start, end, type, recognizer, score })));
      if (redactions.length > 0) {
        await manager.audit.record({ eventType: 'pii.redacted', result: 'success', userId: actorOf(request.principal!), additionalData: { method, ...(dataset !== undefined ? { dataset } : {}), redactions } });
      }
      return { results };
    },
  );
};
