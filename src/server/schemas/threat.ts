import { z } from 'zod';
import { ALERT_RULES } from '../../threat/monitor/alert-rules.js';
import { ALERT_STATUSES } from '../../threat/monitor/schema.js';
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
});
