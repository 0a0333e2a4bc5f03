import { z } from 'zod';
import { isLangtrainError, type LangtrainError } from '../core/errors.js';
import { keysOnly, parseOptions } from '../core/options.js';
import { MAX_CONDITION_LENGTH } from './condition-compiler.js';
import type { AuthorizationRequest, Binding, Policy, Role } from './model.js';
import type { BindOptions, RoleSpec } from './role-manager.js';

/**
 * The shapes of roles, bindings and policies: the one source of truth for which fields each
 * has. Policy files and documents given as data (policy-document.ts), the server's routes
 * (server/schemas/access.ts) and the library's own methods (RoleManager.createRole / updateRole
 * / bind, PolicyEngine.addPolicy / updatePolicy) all refuse a field not listed here, so a
 * misspelt `expiry` or `action` can never be accepted and ignored.
 *
 * The bounds here are transport guards no tighter than the checks the library makes anyway
 * (names.ts, core/permissions.ts, the condition compiler), which say in their own words what is
 * wrong with a value.
 */

/** Longest description of a role or policy. */
export const MAX_DESCRIPTION = 1_000;

export const roleSchema = z.strictObject({
  name: z.string(),
  permissions: z.array(z.string()),
  inherits: z.array(z.string()).optional(),
  description: z.string().max(MAX_DESCRIPTION).optional(),
});
/** What `createRole(name, spec)` / `updateRole(name, spec)` and `PUT /v1/access/roles/:name` take. */
export const roleSpecSchema = roleSchema.omit({ name: true });

/** What `bind(principal, role, options)` takes beside the principal and role. */
export const bindOptionsSchema = z.strictObject({
  /** `type` (`model`) or `type:id` (`dataset:ds-1`); omitted: every resource. */
  resource: z.string().max(600).optional(),
  /** ISO 8601 instant; the binding grants strictly before it, never at or after. */
  expires: z.string().max(40).optional(),
});
export const bindingSchema = z.strictObject({
  principal: z.string().min(1).max(300),
  role: z.string().min(1).max(64),
  ...bindOptionsSchema.shape,
});

export const policySchema = z.strictObject({
  name: z.string(),
  effect: z.enum(['allow', 'deny']),
  condition: z.string().min(1).max(MAX_CONDITION_LENGTH),
  actions: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  description: z.string().max(MAX_DESCRIPTION).optional(),
});
/** A policy without its name (`PUT /v1/access/policies/:name`). */
export const policySpecSchema = policySchema.omit({ name: true });

/** A policy file, or a document given as data: the three sections, each optional. */
export const accessDocumentSchema = z.strictObject({
  roles: z.array(roleSchema).default([]),
  bindings: z.array(bindingSchema).default([]),
  policies: z.array(policySchema).default([]),
});

/** The model's types and these schemas name the same fields (a compile error when one gains a field the other lacks). */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const sameKeys: [
  SameKeys<Role, z.input<typeof roleSchema>>,
  SameKeys<RoleSpec, z.input<typeof roleSpecSchema>>,
  SameKeys<Binding, z.input<typeof bindingSchema>>,
  SameKeys<BindOptions, z.input<typeof bindOptionsSchema>>,
  SameKeys<Policy, z.input<typeof policySchema>>,
] = [true, true, true, true, true];
void sameKeys;

/**
 * The keys of an authorization request, its principal and its resource (as model.ts's
 * AuthorizationRequest; a compile error when they part). `decide` / `explain` refuse any other
 * key with a plain comparison per key, no zod on the hot path (authorizer.ts). Attributes and
 * `context` are free-form and not checked.
 */
export const REQUEST_KEYS = ['principal', 'action', 'resource', 'context'] as const;
export const PRINCIPAL_KEYS = ['id', 'roles', 'groups', 'attributes'] as const;
export const RESOURCE_KEYS = ['type', 'id', 'attributes'] as const;
type Listed<T, K extends readonly PropertyKey[]> = [keyof T] extends [K[number]] ? ([K[number]] extends [keyof T] ? true : false) : false;
const requestKeys: [
  Listed<AuthorizationRequest, typeof REQUEST_KEYS>,
  Listed<AuthorizationRequest['principal'], typeof PRINCIPAL_KEYS>,
  Listed<AuthorizationRequest['resource'], typeof RESOURCE_KEYS>,
] = [true, true, true];
void requestKeys;

// The same fields, with any values: the library checks the values itself, saying what is wrong.
export const ROLE_SPEC_KEYS = keysOnly(Object.keys(roleSpecSchema.shape));
export const BIND_OPTIONS_KEYS = keysOnly(Object.keys(bindOptionsSchema.shape));
export const POLICY_KEYS = keysOnly(Object.keys(policySchema.shape));

/**
 * Refuses a key `keys` does not list, with parseOptions' message (it names the key and lists the
 * supported ones), as the error `refuse(message, key)` makes: the item's own kind of refusal
 * (ERR_INVALID_INPUT for a role or binding, ERR_POLICY_INVALID for a policy).
 */
export function refuseUnknownKeys(keys: z.ZodObject, input: object, owner: string, refuse: (message: string, field: string, problems: readonly string[]) => LangtrainError): void {
  try {
    parseOptions(keys, input, owner);
  } catch (err) {
    if (!isLangtrainError(err)) throw err;
    const problems = (err.details.problems as string[] | undefined) ?? [err.message];
    const unknown = Object.keys(input).filter((key) => !(key in keys.shape));
    throw refuse(err.message, unknown[0] ?? '', problems);
  }
}
