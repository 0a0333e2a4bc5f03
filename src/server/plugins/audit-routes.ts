import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AuditLogger } from '../../audit/audit-logger.js';
import { isPlatformEventType, PLATFORM_EVENT_NAMESPACES, PLATFORM_EVENT_TYPES, type AuditEventInput } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput, isLangtrainError } from '../../core/errors.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requireResourcePermission } from './authentication.js';
import {
  appendBody,
  checkpointReply,
  consistencyQuery,
  consistencyReply,
  eventsQuery,
  eventsReply,
  inclusionParams,
  inclusionReply,
  receiptsReply,
} from '../schemas/audit.js';

const tags = ['audit'];
const security = AUTHENTICATED;

/** The audit log over HTTP (`/v1/audit`): append, query, checkpoints and proofs. */
export const auditRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'audit'));
  const audit = manager.audit;

  app.post(
    '/events',
    {
      schema: {
        tags,
        security,
        summary: 'Append one event, or {events: [...]} (up to 1000): all are validated before any is appended',
        body: appendBody,
        response: { 201: receiptsReply },
      },
    },
    async (request, reply) => {
      const submittedBy = actorOf(request.principal!);
      if (!('events' in request.body)) {
        // A single event: its errors name no batch position.
        const receipt = await audit.logEvent(submitted(request.body as AuditEventInput, submittedBy, ''));
        return reply.code(201).send({ receipts: [receipt] });
      }
      const events = (request.body.events as AuditEventInput[]).map((event, i) => submitted(event, submittedBy, `events.${i}: `));
      events.forEach((event, i) => checkEvent(audit, event, i));
      // One atomic batch: all of them are committed in one transaction, or none.
      const receipts = await audit.logEvents(events);
      return reply.code(201).send({ receipts });
    },
  );

  app.get(
    '/events',
    { schema: { tags, security, summary: 'Entries matching a filter, oldest first, one page at a time', querystring: eventsQuery, response: { 200: eventsReply } } },
    async (request) => {
      const entries = await audit.query(request.query);
      const last = entries.at(-1);
      return { entries, nextAfterIndex: last !== undefined && entries.length === request.query.limit ? last.index : null };
    },
  );

  app.get(
    '/checkpoints/latest',
    { schema: { tags, security, summary: 'The newest signed checkpoint', response: { 200: checkpointReply } } },
    async () => {
      const latest = await audit.latestCheckpoint();
      if (!latest) throw new LangtrainError('ERR_NOT_FOUND', 'no checkpoint has been signed yet (the log is empty)');
      return latest;
    },
  );

  app.post(
    '/checkpoints',
    { schema: { tags, security, summary: 'Sign a checkpoint covering every entry now (returns the existing one if nothing is new)', response: { 200: checkpointReply } } },
    async () => {
      await audit.checkpoint();
      const latest = await audit.latestCheckpoint();
      if (!latest) throw new LangtrainError('ERR_NOT_FOUND', 'the log is empty: there is nothing to sign');
      return latest;
    },
  );

  app.get(
    '/proofs/inclusion/:index',
    { schema: { tags, security, summary: 'Inclusion proof of one entry in the newest checkpoint', params: inclusionParams, response: { 200: inclusionReply } } },
    async (request) => audit.proveInclusion(request.params.index),
  );

  app.get(
    '/proofs/consistency',
    { schema: { tags, security, summary: 'Consistency proof between two signed checkpoints, by size', querystring: consistencyQuery, response: { 200: consistencyReply } } },
    async (request) => audit.proveConsistency(request.query.from, request.query.to),
  );
};

/**
 * An event a client sends, as the log keeps it: never in the platform's own names, and with who
 * sent it in `additionalData.submittedBy`, which the client cannot set. Without both, anyone
 * allowed to append could write an `auth.login` indistinguishable from the server's own.
 */
function submitted(event: AuditEventInput, submittedBy: string, where: string): AuditEventInput {
  if (isPlatformEventType(event.eventType)) {
    throw invalidInput(
      `${where}eventType ${event.eventType} is one the platform writes itself (${[...PLATFORM_EVENT_NAMESPACES].map((n) => `${n}.*`).join(', ')}, ${PLATFORM_EVENT_TYPES.join(', ')}): name your event otherwise, e.g. user_authentication or training.started`,
      { field: 'eventType' },
    );
  }
  if (event.additionalData !== undefined && 'submittedBy' in event.additionalData) {
    throw invalidInput(`${where}additionalData.submittedBy is set by the server to who sent the event; leave it out`, { field: 'additionalData.submittedBy' });
  }
  return { ...event, additionalData: { ...event.additionalData, submittedBy } };
}

/**
 * Run the logger's own checks now (this log's settings included, e.g. encryption for a
 * sensitive user id), naming the event's place in the batch as the body's fields are named.
 */
function checkEvent(audit: AuditLogger, event: AuditEventInput, index: number): void {
  try {
    audit.checkEvent(event);
  } catch (err) {
    if (!isLangtrainError(err)) throw err;
    throw invalidInput(`events.${index}: ${err.message}`, { ...err.details, index });
  }
}
