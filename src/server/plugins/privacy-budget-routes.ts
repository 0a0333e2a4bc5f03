import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AccountantName } from '../../privacy/budget/budget-ledger.js';
import type { SecurityManager } from '../../security-manager.js';
import { actorOf } from '../principal.js';
import { createBudgetBody, privacyBudget, privacyBudgetList, reservation, reserveBody, unitParams } from '../schemas/privacy.js';
import { AUTHENTICATED } from '../schemas/security-schemes.js';
import { requireResourcePermission } from './authentication.js';

const tags = ['privacy'];
const security = AUTHENTICATED;

/**
 * `/v1/privacy/budgets` (`privacy_budget.read` for GET, `privacy_budget.write` otherwise):
 * differential-privacy budgets per privacy unit. A training job on another machine reserves
 * its steps here before running them, and is refused (409, ERR_PRIVACY_BUDGET_EXHAUSTED)
 * when they would take the unit over its budget.
 */
export const privacyBudgetRoutes: FastifyPluginAsyncZod<{ security: SecurityManager }> = async (app, { security: manager }) => {
  app.addHook('onRequest', requireResourcePermission(manager, 'privacy_budget'));
  const ledger = await manager.privacyBudgets();

  app.get('/', { schema: { tags, security, summary: 'Every privacy unit with its budget and what it has spent', response: { 200: privacyBudgetList } } }, async () => ({ budgets: await ledger.list() }));

  app.post('/', { schema: { tags, security, summary: 'Set the budget of a privacy unit (fixed once set)', body: createBudgetBody, response: { 201: privacyBudget } } }, async (request, reply) => {
    const { accountant, ...rest } = request.body;
    const made = await ledger.createBudget({ ...rest, ...(accountant !== undefined ? { accountant: accountant as AccountantName } : {}) }, actorOf(request.principal!));
    return reply.code(201).send(made);
  });

  app.get('/:unit', { schema: { tags, security, summary: 'A unit’s budget and every spend', params: unitParams, response: { 200: privacyBudget } } }, async (request) => ledger.budget(request.params.unit));

  app.post(
    '/:unit/reservations',
    { schema: { tags, security, summary: 'Reserve DP-SGD steps (all, or upTo: the most that fit); refused when over budget', params: unitParams, body: reserveBody, response: { 201: reservation } } },
    async (request, reply) => reply.code(201).send(await ledger.reserve({ unit: request.params.unit, ...request.body, actor: actorOf(request.principal!) })),
  );
};
