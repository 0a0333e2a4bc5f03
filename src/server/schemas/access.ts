import { z } from 'zod';

/** JSON attribute values; the engine converts them to CEL values once per request. */
const attributes = z.record(z.string(), z.any());

export const authorizationRequest = z.strictObject({
  principal: z.strictObject({ id: z.string().min(1).max(256), roles: z.array(z.string()).max(100).optional(), groups: z.array(z.string()).max(100).optional(), attributes: attributes.optional() }),
  action: z.string().min(1).max(200),
  resource: z.strictObject({ type: z.string().min(1).max(64), id: z.string().min(1).max(512), attributes: attributes.optional() }),
  context: attributes.optional(),
});

/** At most this many requests in one `POST /v1/authorize`. */
export const MAX_AUTHORIZE_BATCH = 1000;

export const authorizeBody = z.union([authorizationRequest, z.strictObject({ requests: z.array(authorizationRequest).min(1).max(MAX_AUTHORIZE_BATCH) })]);

const reason = z.looseObject({ kind: z.string() });
export const decision = z.object({ allowed: z.boolean(), reasons: z.array(reason) });
export const authorizeReply = z.union([decision, z.object({ decisions: z.array(decision) })]);

export const role = z.strictObject({ name: z.string(), permissions: z.array(z.string()), inherits: z.array(z.string()).optional(), description: z.string().max(1000).optional() });
export const roleBody = role.omit({ name: true });
export const binding = z.strictObject({ principal: z.string().min(1).max(300), role: z.string().min(1).max(64), resource: z.string().max(600).optional(), expires: z.string().max(40).optional() });
export const storedBinding = binding.extend({ id: z.string() });
export const policy = z.strictObject({
  name: z.string(),
  effect: z.enum(['allow', 'deny']),
  condition: z.string().min(1).max(10_000),
  actions: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  description: z.string().max(1000).optional(),
});
export const policyBody = policy.omit({ name: true });
export const accessDocument = z.strictObject({ roles: z.array(role).default([]), bindings: z.array(binding).default([]), policies: z.array(policy).default([]) });
export const snapshotReply = z.object({ revision: z.number(), roles: z.array(role), bindings: z.array(storedBinding), policies: z.array(policy) });
export const nameParams = z.object({ name: z.string().min(1).max(64) });
export const idParams = z.object({ id: z.string().min(1).max(64) });
