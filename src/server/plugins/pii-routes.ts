import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { invalidInput } from '../../core/errors.js';
import { scannerFor, type ScanSettings } from '../../privacy/pii/entity-scanner.js';
import { DEFAULT_CONFIDENCE_THRESHOLD, preserveFormatProblem } from '../../privacy/pii/pii-options.js';
import type { EntityType } from '../../privacy/pii/entity-types.js';
import { piiRedactionKeys, syntheticSeedFor } from '../../privacy/pii/pii-keys.js';
import { redactRecords } from '../../privacy/pii/dataset-redaction.js';
import { loadRecordRedactor, type RedactionSpec } from '../../privacy/pii/redactor.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { detectBody, detectReply, redactBody, redactRecordsBody, redactRecordsReply, redactReply } from '../schemas/pii.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requirePermission } from './authentication.js';

const tags = ['pii'];
const security = AUTHENTICATED;

/**
 * `/v1/pii/detect` and `/v1/pii/redact` (permissions `pii.detect`, `pii.redact`): one text or
 * up to 1000; `/v1/pii/redact-records`: up to 1000 JSON records, as `processDataset` redacts a
 * list (values and keys, at field paths or everywhere). Redactions are audited as
 * `pii.redacted` with offsets, types, recognizers and scores, never the values. `synthetic` fakes are consistent within one request, or across
 * requests naming the same `dataset` (a seed derived from keyring key `pii`); `hash` pseudonyms
 * are the deployment's, the same in every request.
 */
export const piiRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  const scanOf = ({ types, threshold, allowList, denyList }: { types?: EntityType[]; threshold?: number; allowList?: string[]; denyList?: ScanSettings['denyList'] }): ScanSettings => ({
    ...(types ? { types } : {}),
    threshold: threshold ?? DEFAULT_CONFIDENCE_THRESHOLD,
    ...(allowList ? { allowList } : {}),
    ...(denyList ? { denyList } : {}),
  });
  const list = (text: string | string[]) => (typeof text === 'string' ? [text] : text);

  app.post(
    '/detect',
    { onRequest: requirePermission(manager, 'pii.detect'), schema: { tags, security, summary: 'Find personal data in one text or a list', body: detectBody, response: { 200: detectReply } } },
    async (request) => {
      const scanner = scannerFor(scanOf(request.body));
      return { results: scanner.scanAll(list(request.body.text)).map((spans) => ({ spans })) };
    },
  );

  /** The redaction a request asks for (`synthetic` fakes seeded by its `dataset` when it names one); refuses a preserveFormat its method would ignore. */
  const redactionOf = async ({ method, preserveFormat, dataset }: { method: 'masking' | 'removal' | 'synthetic' | 'hash'; preserveFormat?: boolean | undefined; dataset?: string | undefined }): Promise<RedactionSpec> => {
    const problem = preserveFormatProblem(method, preserveFormat);
    if (problem !== undefined) throw invalidInput(problem, { field: 'preserveFormat' });
    if (method === 'masking') return { method, preserveFormat: preserveFormat ?? false };
    if (method === 'synthetic') return { method, seed: dataset !== undefined ? await syntheticSeedFor(manager.keyring, dataset) : randomBytes(32) };
    if (method === 'removal') return { method };
    return { method, key: (await piiRedactionKeys(manager.keyring)).hashKey };
  };

  app.post(
    '/redact',
    { onRequest: requirePermission(manager, 'pii.redact'), schema: { tags, security, summary: 'Redact personal data in one text or a list', body: redactBody, response: { 200: redactReply } } },
    async (request) => {
      const { method, dataset } = request.body;
      if (dataset !== undefined && method !== 'synthetic') throw invalidInput('dataset applies to method synthetic (the same fakes across requests)');
      const redactor = await loadRecordRedactor({ scan: scanOf(request.body), redaction: await redactionOf(request.body) });
      const texts = list(request.body.text);
      const results = redactor.detectAll(texts).map((spans, i) => ({ text: spans.length === 0 ? texts[i]! : redactor.redact(texts[i]!, spans), spans }));
      const redactions = results.flatMap((r, record) => r.spans.map(({ start, end, type, recognizer, score }) => ({ record, start, end, type, recognizer, score })));
      if (redactions.length > 0) {
        await manager.audit.record({ eventType: 'pii.redacted', result: 'success', userId: actorOf(request.principal!), additionalData: { method, ...(dataset !== undefined ? { dataset } : {}), redactions } });
      }
      return { results };
    },
  );

  app.post(
    '/redact-records',
    {
      onRequest: requirePermission(manager, 'pii.redact'),
      schema: { tags, security, summary: 'Redact personal data in JSON records: values and keys, at field paths or everywhere', body: redactRecordsBody, response: { 200: redactRecordsReply } },
    },
    async (request) => {
      const { records, fields, dataset } = request.body;
      const spec = { scan: scanOf(request.body), redaction: await redactionOf(request.body) };
      // audited as a data set: `line` is the record's position (1-based); the summary counts them
      const audit = { sink: manager.audit, dataset: dataset ?? 'api-request', userId: actorOf(request.principal!) };
      const { records: redacted, report } = await redactRecords(records, { spec, ...(fields ? { fields } : {}), audit });
      return { records: redacted, redactedRecords: report.redactedRecords, counts: report.counts };
    },
  );
};
