import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { consentGrant, consentHistory, consentValidity, consentWithdrawal, erasureQuery, erasureReport, exportQuery, recordConsentBody, subjectExport, userIdParams, validityQuery, withdrawConsentBody } from '../schemas/privacy.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requirePermission } from './authentication.js';

const tags = ['consent'];
const security = AUTHENTICATED;

/**
 * `/v1/consent`: consent per data type and purpose (`consent.read`, `consent.write`), the
 * subject's Art. 15 export across the privacy domains (`consent.read`, `lineage.read`,
 * `privacy_budget.read` and `audit.read`), and DELETE `/:userId`, the Art. 17 erasure across the
 * privacy domains (`privacy.erase`: irreversible, so a permission of its own).
 */
export const consentRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  const consent = await manager.consentManager();
  const read = requirePermission(manager, 'consent.read');
  const write = requirePermission(manager, 'consent.write');
  // Every reply here names a subject (their consent, their export): personal data no cache keeps.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post('/', { onRequest: write, schema: { tags, security, summary: 'Record consent to data types for purposes', body: recordConsentBody, response: { 201: consentGrant } } }, async (request, reply) =>
    reply.code(201).send(await consent.recordConsent({ ...request.body, actor: actorOf(request.principal!) })),
  );

  app.post('/withdraw', { onRequest: write, schema: { tags, security, summary: 'Withdraw consent (omitted lists: all)', body: withdrawConsentBody, response: { 201: consentWithdrawal } } }, async (request, reply) =>
    reply.code(201).send(await consent.withdrawConsent({ ...request.body, actor: actorOf(request.principal!) })),
  );

  app.get('/:userId', { onRequest: read, schema: { tags, security, summary: "A subject's grants and withdrawals, oldest first", params: userIdParams, response: { 200: consentHistory } } }, async (request) => ({
    userId: request.params.userId,
    events: await consent.history(request.params.userId),
  }));

  app.get(
    '/:userId/valid',
    { onRequest: read, schema: { tags, security, summary: 'Whether the subject consents now to ?dataType= (for ?purpose=)', params: userIdParams, querystring: validityQuery, response: { 200: consentValidity } } },
    async (request) => {
      const { dataType, purpose } = request.query;
      return { userId: request.params.userId, dataType, purpose: purpose ?? null, valid: await consent.hasValidConsent(request.params.userId, dataType, purpose) };
    },
  );

  // Lineage facts, privacy budgets and audit entries too, so lineage.read, privacy_budget.read and
  // audit.read as well: a
  // complete export or none, never a document missing a section its reader may not see (Art. 15
  // asks for all of it). The document is never logged (the request log has the route pattern
  // only). No HEAD route: one would run and audit an export to send no document.
  app.get(
    '/:userId/export',
    {
      onRequest: [read, requirePermission(manager, 'lineage.read'), requirePermission(manager, 'privacy_budget.read'), requirePermission(manager, 'audit.read')],
      exposeHeadRoute: false,
      schema: {
        tags,
        security,
        summary: 'Everything the privacy domains hold about the subject: consent, artifacts holding their data, privacy budgets they created or spent on, keys of their own, audit entries about them (GDPR Art. 15); needs consent.read, lineage.read, privacy_budget.read and audit.read; audited',
        params: userIdParams,
        querystring: exportQuery,
        response: { 200: subjectExport },
      },
    },
    async (request) => manager.exportSubject(request.params.userId, { actor: actorOf(request.principal!) }),
  );

  app.delete(
    '/:userId',
    {
      onRequest: requirePermission(manager, 'privacy.erase'),
      schema: {
        tags,
        security,
        summary: 'Erase the subject (GDPR Art. 17): consent, lineage links, encryption key; lists affected artifacts; ?shredAuditTrail=true also makes their sealed audit payloads unreadable',
        params: userIdParams,
        querystring: erasureQuery,
        response: { 200: erasureReport },
      },
    },
    async (request) => ({
      subject: request.params.userId,
      ...(await manager.eraseSubject(request.params.userId, { actor: actorOf(request.principal!), shredAuditTrail: request.query.shredAuditTrail === 'true' })),
    }),
  );
};
