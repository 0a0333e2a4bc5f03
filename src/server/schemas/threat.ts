import { z } from 'zod';
import { ALERT_RULES } from '../../threat/monitor/alert-rules.js';
import { ALERT_STATUSES } from '../../threat/schema.js';
import { strictQuery } from './strict-query.js';

/** Bodies and replies of `/v1/monitor`. */
export const alertsQuery = strictQuery({
  status: z.enum(ALERT_STATUSES).optional(),
  rule: z.enum(ALERT_RULES).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

export const alert = z.object({
  id: z.string(),
  rule: z.enum(ALERT_RULES),
  key: z.string(),
  value: z.number(),
  threshold: z.number(),
  firstIndex: z.number(),
  lastIndex: z.number(),
  firstAt: z.string(),
  lastAt: z.string(),
  detail: z.record(z.string(), z.number()),
  raisedAt: z.string(),
  status: z.enum(ALERT_STATUSES),
  statusChangedAt: z.string().nullable(),
  statusChangedBy: z.string().nullable(),
  auditIndex: z.number().nullable(),
});

export const alertParams = z.object({ id: z.uuid() });

const errorRate = z.object({ events: z.number(), failures: z.number(), rate: z.number() });
export const monitorSnapshot = z.object({
  running: z.boolean(),
  cursor: z.number(),
  windowMs: z.number(),
  pollIntervalMs: z.number(),
  lastPollAt: z.string().nullable(),
  lastError: z.string().nullable(),
  errorRates: z.record(z.string(), errorRate).optional(),
  requestPatterns: z.object({ requests: z.number(), callers: z.number(), top: z.array(z.object({ caller: z.string(), requests: z.number() })) }).optional(),
  resourceUsage: z.object({ rssBytes: z.number(), heapUsedBytes: z.number(), cpuCores: z.number(), eventLoopDelayP99Ms: z.number() }).optional(),
  siem: z
    .object({ destination: z.string(), format: z.string(), events: z.enum(['all', 'alerts']), cursor: z.number(), sent: z.number(), lastSentAt: z.string().nullable(), lastError: z.string().nullable() })
    .optional(),
});

/** `/v1/incidents` */
const incidentStatus = z.enum(ALERT_STATUSES);
export const incidentsQuery = strictQuery({ status: incidentStatus.optional(), limit: z.coerce.number().int().min(1).max(1_000).optional() });
export const incident = z.object({
  id: z.string(),
  playbook: z.string(),
  alertId: z.string(),
  rule: z.string(),
  key: z.string(),
  status: incidentStatus,
  openedAt: z.string(),
  escalateAt: z.string().nullable(),
  escalatedAt: z.string().nullable(),
  actions: z.array(z.object({ action: z.string(), status: z.enum(['pending', 'done', 'failed', 'skipped']), detail: z.string().nullable(), at: z.string().nullable() })),
  statusChangedAt: z.string().nullable(),
  statusChangedBy: z.string().nullable(),
});
export const incidentParams = z.object({ id: z.uuid() });
/** Checked by IncidentResponse.createPlaybook, whose errors name the field and what is supported. */
export const playbookBody = z.object({ triggers: z.array(z.string()), actions: z.array(z.string()), escalationTime: z.string().optional(), blockFor: z.string().optional() }).strict();
export const playbook = z.object({ name: z.string(), triggers: z.array(z.string()), actions: z.array(z.string()), escalationMs: z.number().nullable(), blockForMs: z.number(), savedAt: z.string() });
export const playbookParams = z.object({ name: z.string().min(1).max(64) });
export const blockedAddress = z.object({ address: z.string(), blockedAt: z.string(), expiresAt: z.string(), incidentId: z.string().nullable() });
export const addressParams = z.object({ address: z.string().min(1).max(64) });

/** `/v1/adversarial` */
export const inspection = z.object({
  adversarial: z.boolean(),
  score: z.number(),
  detectors: z.array(z.object({ detector: z.enum(['phrase_rules', 'classifier', 'obfuscation']), score: z.number() })),
  matchedRules: z.array(z.string()),
  disguises: z.array(z.string()),
  action: z.enum(['allowed', 'rejected', 'sanitized', 'flagged']),
  sanitized: z.string().optional(),
});
