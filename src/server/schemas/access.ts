import { z } from 'zod';
import { accessDocumentSchema, bindingSchema, policySchema, policySpecSchema, roleSchema, roleSpecSchema } from '../../access/schemas.js';

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

// Roles, bindings and policies have one shape, the access library's (src/access/schemas.ts):
// the routes, policy files and the library's own methods refuse the same unknown fields.
export const role = roleSchema;
export const roleBody = roleSpecSchema;
export const binding = bindingSchema;
export const storedBinding = binding.extend({ id: z.string() });
export const policy = policySchema;
export const policyBody = policySpecSchema;
export const accessDocument = accessDocumentSchema;
export const snapshotReply = z.object({ revision: z.number(), roles: z.array(role), bindings: z.array(storedBinding), policies: z.array(policy) });
export const nameParams = z.object({ name: z.string().min(1).max(64) });
export const idParams = z.object({ id: z.string().min(1).max(64) });
