import { z } from 'zod';
import { invalidInput } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { isPermissionRequest } from '../core/permissions.js';
import { celMapOf, type CelMap } from './cel-values.js';
import { describeDecision } from './explain.js';
import type { Attributes, AuthorizationRequest, Decision, Reason } from './model.js';
import { isResourceType, parseInstant } from './names.js';
import { PolicyEngine, type ApplicablePolicies, type CompiledPolicy } from './policy-engine.js';
import { RoleManager } from './role-manager.js';
import { PRINCIPAL_KEYS, REQUEST_KEYS, RESOURCE_KEYS } from './schemas.js';

/**
 * The decision: RBAC (roles and bindings) gated by ABAC (CEL policies).
 *
 * A request is allowed when
 *   1. some binding of the principal (its id, or one of its groups as `group:<g>`) that has not
 *      expired at the decision's clock and whose scope covers the resource (none, its type, or
 *      `type:id`), or a role the request asserts, grants a permission matching the action
 *      (exact, `resource.*` or `*`);
 *   2. every `allow` policy that applies to the request (its `actions` match the action and its
 *      `resources` include the type; omitted means every) has a true condition; and
 *   3. no `deny` policy that applies has a true condition.
 * An evaluation error (missing attribute, wrong type, a non-bool result) fails closed: an allow
 * policy counts as false, a deny policy as true. The clock is `context.time`, else now.
 *
 * `decide` stops at the first thing that decides (no grant; a deny that holds; an allow that
 * does not), so its reasons name the grant and the policies that decided. `explain` evaluates
 * every applicable policy, for the full picture; both reach the same `allowed`.
 */

/** As `authorizerOptionsSchema`: any other option is refused. */
export interface AuthorizerOptions {
  roles?: RoleManager;
  policies?: PolicyEngine;
  /** Default: the system clock. Tests pass a controllable one. */
  clock?: () => Date;
  /** Concrete actions whatCan considers beside those roles and policies name (`models.*` expands against them all). */
  actions?: string[];
}

export interface Explanation extends Decision {
  /** The decision and its reasons, one per line, for people. */
  text: string;
}

export type PrincipalInput = AuthorizationRequest['principal'];
export type ResourceInput = AuthorizationRequest['resource'];

const NO_GRANT: Reason = Object.freeze({ kind: 'no_grant' });
/**
 * The decision's instant when nothing has needed it yet. Only passed on when no binding expires,
 * where every instant gives the same grants; read for real before a condition can see it.
 */
const CLOCK_NOT_READ = Number.NEGATIVE_INFINITY;
/** Validated actions and types remembered (bounded: past this the memo starts over). */
const MAX_MEMO = 10_000;

export class Authorizer {
  readonly roles: RoleManager;
  readonly policies: PolicyEngine;
  /** Milliseconds: `Date.now` unless a clock is injected (no Date allocated per decision). */
  readonly #clockMs: () => number;
  readonly #actions: readonly string[];
  /** Validated action → its `resource.*`: one lookup instead of a regex and a string per request. */
  #wildcards = new Map<string, string>();
  #types = new Set<string>();

  constructor(options: AuthorizerOptions = {}) {
    options = parseOptions(authorizerOptionsSchema, options, 'Authorizer');
    this.roles = options.roles ?? new RoleManager();
    this.policies = options.policies ?? new PolicyEngine();
    const clock = options.clock;
    this.#clockMs = clock === undefined ? Date.now : () => clock().getTime();
    this.#actions = checkActions(options.actions ?? [], 'actions');
  }

  decide(request: AuthorizationRequest): Decision {
    return this.#evaluate(request, false);
  }

  /** The decision with every applicable policy evaluated, and a readable account of it. */
  explain(request: AuthorizationRequest): Explanation {
    const decision = this.#evaluate(request, true);
    return { ...decision, text: describeDecision(request, decision) };
  }

  /**
   * The actions `principal` may take on `resource`, sorted: those its roles name, with `resource.*`
   * and `*` expanded against the catalogue (every action a role or policy names, the
   * constructor's `actions` and these `actions`), each decided in full (policies included).
   */
  whatCan(principal: PrincipalInput, resource: ResourceInput, options: { context?: Attributes; actions?: string[] } = {}): string[] {
    options = parseOptions(whatCanOptions, options, 'Authorizer.whatCan');
    this.#checkSubject(principal, resource);
    const held = this.roles.patternsOf(this.roles.rolesHeld(principal, resource.type, resource.id, this.#now(options.context)));
    if (held.size === 0) return [];
    const catalogue = new Set([...this.roles.namedActions(), ...this.policies.namedActions(), ...this.#actions, ...checkActions(options.actions ?? [], 'options.actions')]);
    const allowed: string[] = [];
    for (const action of catalogue) {
      if (!held.has('*') && !held.has(action) && !held.has(`${action.slice(0, action.indexOf('.'))}.*`)) continue;
      if (this.decide({ principal, action, resource, ...(options.context === undefined ? {} : { context: options.context }) }).allowed) allowed.push(action);
    }
    return allowed.sort();
  }

  /**
   * The resources (in their order) on which `principal` may take `action`. Each is a resource as
   * `decide` takes it (`type`, `id`, `attributes`): an object with other keys is refused, as a
   * misspelt `attributs` would otherwise be decided without its attributes.
   */
  filter(principal: PrincipalInput, action: string, resources: readonly ResourceInput[], options: { context?: Attributes } = {}): ResourceInput[] {
    // A misspelt `context` would otherwise decide every resource at the current time, without the caller's context.
    options = parseOptions(filterOptions, options, 'Authorizer.filter');
    return resources.filter((resource) => this.decide({ principal, action, resource, ...(options.context === undefined ? {} : { context: options.context }) }).allowed);
  }

  #evaluate(request: AuthorizationRequest, trace: boolean): Decision {
    this.#checkSubject(request?.principal, request?.resource);
    for (const key in request) if (key !== 'principal' && key !== 'action' && key !== 'resource' && key !== 'context') throw unknownKey('request', key, REQUEST_KEYS);
    const { principal, action, resource } = request;
    const wildcard = this.#wildcardOf(action);
    if (!isAttributes(request.context)) throw invalidInput('request.context must be an object');
    const time = request.context?.time;
    // The clock is read only when something depends on it: an expiring binding, or a condition.
    let nowMs = time !== undefined ? parseInstant(time, 'request.context.time') : this.roles.hasExpiringBindings ? this.#clockMs() : CLOCK_NOT_READ;
    const grant = this.roles.grantFor(principal, action, wildcard, resource.type, resource.id, nowMs);
    if (grant === undefined && !trace) return { allowed: false, reasons: [NO_GRANT] };
    const applicable = this.policies.applicable(resource.type, action, wildcard);
    const reasons: Reason[] = [grant ?? NO_GRANT];
    if (applicable.deny.length === 0 && applicable.allow.length === 0) return { allowed: grant !== undefined, reasons };

    if (nowMs === CLOCK_NOT_READ && applicable.readsContext) nowMs = this.#clockMs();
    const activation = this.#activation(request, applicable, nowMs);
    let allowed = grant !== undefined;
    // Indexed loops: this is the hottest code in a decision.
    for (let i = 0; i < applicable.deny.length; i++) {
      const reason = evaluate(applicable.deny[i] as CompiledPolicy, activation);
      reasons.push(reason);
      if ((reason as PolicyReason).outcome !== 'false') {
        allowed = false;
        if (!trace) return { allowed, reasons };
      }
    }
    for (let i = 0; i < applicable.allow.length; i++) {
      const reason = evaluate(applicable.allow[i] as CompiledPolicy, activation);
      reasons.push(reason);
      if ((reason as PolicyReason).outcome !== 'true') {
        allowed = false;
        if (!trace) return { allowed, reasons };
      }
    }
    return { allowed, reasons };
  }

  /**
   * Refuses a malformed principal or resource (ERR_INVALID_INPUT). Requests come as JSON: a
   * `roles: "admin"` string would otherwise be read letter by letter as role names.
   *
   * A key neither has (schemas.ts lists them; #evaluate checks the request's own) is refused:
   * a misspelt `attributs` would otherwise be dropped, and a condition such as
   * `!has(user.clearance)` decided without it. One for-in with plain comparisons, no zod and no
   * allocation: this runs on every decision. Attributes stay free-form.
   */
  #checkSubject(principal: PrincipalInput | undefined, resource: ResourceInput | undefined): void {
    if (typeof principal?.id !== 'string' || principal.id === '') throw invalidInput('request.principal.id must be a non-empty string');
    for (const key in principal) if (key !== 'id' && key !== 'attributes' && key !== 'roles' && key !== 'groups') throw unknownKey('request.principal', key, PRINCIPAL_KEYS);
    if (principal.roles !== undefined && !Array.isArray(principal.roles)) throw invalidInput('request.principal.roles must be a list of role names');
    if (principal.groups !== undefined && !Array.isArray(principal.groups)) throw invalidInput('request.principal.groups must be a list of group names');
    if (!isAttributes(principal.attributes)) throw invalidInput('request.principal.attributes must be an object');
    if (typeof resource?.id !== 'string' || resource.id === '') throw invalidInput('request.resource.id must be a non-empty string');
    for (const key in resource) if (key !== 'type' && key !== 'id' && key !== 'attributes') throw unknownKey('request.resource', key, RESOURCE_KEYS);
    if (!isAttributes(resource.attributes)) throw invalidInput('request.resource.attributes must be an object');
    if (this.#types.has(resource.type)) return;
    if (!isResourceType(resource.type)) throw invalidInput(`request.resource.type ${JSON.stringify(resource.type)} is not a resource type (lower case letters, digits, "_")`);
    if (this.#types.size >= MAX_MEMO) this.#types = new Set();
    this.#types.add(resource.type);
  }

  /** The action's `resource.*`, refusing (ERR_INVALID_INPUT) anything but a concrete `resource.action`. */
  #wildcardOf(action: string): string {
    let wildcard = this.#wildcards.get(action);
    if (wildcard === undefined) {
      if (!isPermissionRequest(action)) throw invalidInput(`request.action ${JSON.stringify(action)} must be a concrete 'resource.action'`);
      wildcard = `${action.slice(0, action.indexOf('.'))}.*`;
      if (this.#wildcards.size >= MAX_MEMO) this.#wildcards = new Map();
      this.#wildcards.set(action, wildcard);
    }
    return wildcard;
  }

  #now(context: Attributes | undefined): number {
    const time = context?.time;
    return time === undefined ? this.#clockMs() : parseInstant(time, 'request.context.time');
  }

  /**
   * The CEL variables, converted once for every policy of this request. `context` and
   * `user.roles` are left out when no applicable condition reads them (ConditionCompiler works
   * that out from the syntax tree).
   */
  #activation(request: AuthorizationRequest, applicable: ApplicablePolicies, nowMs: number): Record<string, unknown> {
    const { principal, resource } = request;
    // The reserved keys are set last, so an attribute cannot pose as the id, roles or type.
    const user = celMapOf(principal.attributes, 'request.principal.attributes');
    user.id = principal.id;
    if (applicable.readsRoles) user.roles = this.roles.rolesHeld(principal, resource.type, resource.id, nowMs);
    const res = celMapOf(resource.attributes, 'request.resource.attributes');
    res.id = resource.id;
    res.type = resource.type;
    let context: CelMap | undefined;
    if (applicable.readsContext) {
      context = celMapOf(request.context, 'request.context');
      context.time = new Date(nowMs);
    }
    const activation: Record<string, unknown> = { user, resource: res, action: request.action, context };
    // isResourceType excludes user, resource, action and context, so this never shadows them.
    activation[resource.type] = res;
    return activation;
  }
}

/** The Authorizer's options; policy documents take the same beside `resourceTypes` (policy-document.ts). */
export const authorizerOptionsSchema = z.strictObject({
  roles: z.instanceof(RoleManager).optional(),
  policies: z.instanceof(PolicyEngine).optional(),
  clock: z.custom<() => Date>((value) => typeof value === 'function', 'clock must be a function returning a Date').optional(),
  /** Checked as concrete actions by the constructor (ERR_INVALID_INPUT). */
  actions: z.array(z.string()).optional(),
});
/** Checked by the decision itself (ERR_INVALID_INPUT, as a request's context is). */
const contextField = z.custom<Attributes>(() => true).optional();
const whatCanOptions = z.strictObject({ context: contextField, actions: z.array(z.string()).optional() });
const filterOptions = z.strictObject({ context: contextField });

type PolicyReason = Extract<Reason, { kind: 'policy' }>;

function evaluate(policy: CompiledPolicy, activation: object): Reason {
  let value: unknown;
  try {
    value = policy.condition.evaluate(activation);
  } catch (err) {
    return errorReason(policy, (err as { summary?: string }).summary ?? (err as Error).message);
  }
  if (value === true) return policy.whenTrue;
  if (value === false) return policy.whenFalse;
  return errorReason(policy, `condition gave ${value === null ? 'null' : typeof value}, not bool`);
}

function errorReason(policy: CompiledPolicy, error: string): Reason {
  return { kind: 'policy', policy: policy.policy.name, effect: policy.policy.effect, outcome: 'error', error };
}

/** A key `where` does not have (ERR_INVALID_INPUT): named, with the supported ones. */
function unknownKey(where: string, key: string, supported: readonly string[]): Error {
  return invalidInput(`${where}: unknown key ${JSON.stringify(key)} (supported: ${supported.join(', ')})`, { field: `${where}.${key}` });
}

function isAttributes(value: unknown): boolean {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

function checkActions(actions: unknown, what: string): string[] {
  if (!Array.isArray(actions) || !actions.every(isPermissionRequest)) throw invalidInput(`${what} must be a list of concrete 'resource.action' strings`);
  return actions;
}
