import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CountingSink, recordFailureAfter, recordInPages } from '../../core/audit-pages.js';
import { invalidInput } from '../../core/errors.js';
import { scannerFor, type ScanSettings } from '../../privacy/pii/entity-scanner.js';
import { DEFAULT_CONFIDENCE_THRESHOLD, preserveFormatProblem } from '../../privacy/pii/pii-options.js';
import type { EntityType } from '../../privacy/pii/entity-types.js';
import { piiRedactionKeys, syntheticSeedFor } from '../../privacy/pii/pii-keys.js';
import { redactRecords } from '../../privacy/pii/dataset-redaction.js';
import { loadRecordRedactor, type RedactionSpec } from '../../privacy/pii/redactor.js';
import { TextScanPool } from '../../privacy/pii/text-scan-pool.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { detectBody, detectReply, explainBody, explainReply, redactBody, redactRecordsBody, redactRecordsReply, redactReply } from '../schemas/pii.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requirePermission } from './authentication.js';

const tags = ['pii'];
const security = AUTHENTICATED;

/**
 * `/v1/pii/detect` and `/v1/pii/redact` (permissions `pii.detect`, `pii.redact`): one text or
 * up to 1000; `/v1/pii/redact-records`: up to 1000 JSON records, as `processDataset` redacts a
 * list (values and keys, at field paths or everywhere). Redactions are audited as
 * `pii.redacted` with offsets, types, recognizers and scores, never the values, in as many
 * events as the audit log's payload limit needs (recordInPages): how many texts a request
 * holds is the caller's right, the log's limit is the server's; a request whose audit fails after
 * any page was given to the log is recorded as `pii.redaction_failed` (recordFailureAfter), as the
 * pages before say `success` for texts never returned. `synthetic` fakes are consistent
 * within one request, or across requests naming the same `dataset` (a seed derived from keyring
 * key `pii`); `hash` pseudonyms are the deployment's, the same in every request. Texts of 64 KiB
 * and more are scanned on worker threads (TextScanPool), not on the event loop.
 */
export const piiRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  // Every reply here holds the caller's texts and where the personal data in them is (detect),
  // or the texts themselves (a span-less one comes back as sent): no cache may keep them.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  const scanOf = ({ types, threshold, allowList, denyList }: { types?: EntityType[]; threshold?: number; allowList?: string[]; denyList?: ScanSettings['denyList'] }): ScanSettings => ({
    ...(types ? { types } : {}),
    threshold: threshold ?? DEFAULT_CONFIDENCE_THRESHOLD,
    ...(allowList ? { allowList } : {}),
    ...(denyList ? { denyList } : {}),
  });
  const list = (text: string | string[]) => (typeof text === 'string' ? [text] : text);
  // large requests are scanned off the event loop, which would otherwise wait up to seconds behind one
  const scans = new TextScanPool();
  app.addHook('onClose', () => scans.close());

  app.post(
    '/detect',
    { onRequest: requirePermission(manager, 'pii.detect'), schema: { tags, security, summary: 'Find personal data in one text or a list', body: detectBody, response: { 200: detectReply } } },
    async (request) => {
      const found = await scans.scanAll(scanOf(request.body), list(request.body.text));
      return { results: found.map((spans) => ({ spans })) };
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
    '/explain',
    {
      onRequest: requirePermission(manager, 'pii.detect'),
      schema: { tags, security, summary: 'Why detect finds what it finds in one text: every candidate, its scores and context words, and what became of it', body: explainBody, response: { 200: explainReply } },
    },
    async (request) => {
      const scan = scanOf(request.body);
      return { threshold: scan.threshold, candidates: scannerFor(scan).explain(request.body.text) };
    },
  );

  app.post(
    '/redact',
    { onRequest: requirePermission(manager, 'pii.redact'), schema: { tags, security, summary: 'Redact personal data in one text or a list', body: redactBody, response: { 200: redactReply } } },
    async (request) => {
      const { method, dataset } = request.body;
      if (dataset !== undefined && method !== 'synthetic') throw invalidInput('dataset applies to method synthetic (the same fakes across requests)');
      const scan = scanOf(request.body);
      const redactor = await loadRecordRedactor({ scan, redaction: await redactionOf(request.body) });
      const texts = list(request.body.text);
      const results = (await scans.scanAll(scan, texts)).map((spans, i) => ({ text: spans.length === 0 ? texts[i]! : redactor.redact(texts[i]!, spans), spans }));
      const redactions = results.flatMap((r, record) => r.spans.map(({ start, end, type, recognizer, score }) => ({ record, start, end, type, recognizer, score })));
      if (redactions.length > 0) {
        const audit = new CountingSink(manager.audit);
        const userId = actorOf(request.principal!);
        const named = { method, ...(dataset !== undefined ? { dataset } : {}) };
        try {
          await recordInPages(audit, { eventType: 'pii.redacted', result: 'success', userId, additionalData: { ...named, redactions } }, 'redactions');
        } catch (err) {
          // the pages before the one that failed say `success` for texts the caller never gets back
          await recordFailureAfter(audit, { eventType: 'pii.redaction_failed', userId, additionalData: { ...named, redactionEvents: audit.recorded } }, err);
          throw err;
        }
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
      const { records: redacted, report } = await redactRecords(records, { spec, ...(fields ? { fields } : {}), audit, detectAll: (texts) => scans.scanAll(spec.scan, texts) });
      return { records: redacted, redactedRecords: report.redactedRecords, counts: report.counts };
    },
  );
};
