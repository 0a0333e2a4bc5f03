import { z } from 'zod';
import { LangtrainError } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { checkPermissionGrants } from '../core/permissions.js';
import { ConditionCompiler, type CompiledCondition } from './condition-compiler.js';
import type { Effect, Policy, Reason } from './model.js';
import { checkPolicyName, checkResourceType } from './names.js';
import { MAX_DESCRIPTION, POLICY_KEYS, refuseUnknownKeys } from './schemas.js';

/**
 * Policies (ABAC): CEL conditions that must hold (`allow`) or must not (`deny`) for the requests
 * they apply to. Compiled and type-checked when added; indexed by resource type and action so a
 * decision looks at the few policies that apply, not at all of them.
 */

/** As `policyEngineOptionsSchema`: any other option is refused. */
export interface PolicyEngineOptions {
  /** Resource types conditions without `resources:` may name, beside DEFAULT_RESOURCE_TYPES. */
  resourceTypes?: string[];
}

export interface CompiledPolicy {
  readonly policy: Policy;
  readonly condition: CompiledCondition;
  /** Shared, frozen reasons: a decision does not allocate one per policy it evaluates. */
  readonly whenTrue: Reason;
  readonly whenFalse: Reason;
  readonly order: number;
}

export interface ApplicablePolicies {
  readonly deny: readonly CompiledPolicy[];
  readonly allow: readonly CompiledPolicy[];
  /** Whether any of them may read `context` / `user.roles`: the decision builds only what is read. */
  readonly readsContext: boolean;
  readonly readsRoles: boolean;
}

const ANY = '*';
const NONE: ApplicablePolicies = Object.freeze({ deny: Object.freeze([]), allow: Object.freeze([]), readsContext: false, readsRoles: false });
const MAX_RESOURCE_TYPES = 64;
/** Distinct (type, action) pairs remembered; past this the memo starts over (bounded memory). */
const MAX_MEMO = 50_000;

export class PolicyEngine {
  readonly #compiler: ConditionCompiler;
  readonly #policies = new Map<string, CompiledPolicy>();
  /** resource type (or `*`) → action pattern (`datasets.read`, `datasets.*`, `*`) → policies. */
  readonly #index = new Map<string, Map<string, CompiledPolicy[]>>();
  /** The applicable set per (type, action), cleared on every policy change. */
  #memo = new Map<string, Map<string, ApplicablePolicies>>();
  #memoSize = 0;
  #order = 0;

  constructor(options: PolicyEngineOptions = {}) {
    this.#compiler = new ConditionCompiler(parseOptions(policyEngineOptionsSchema, options, 'PolicyEngine').resourceTypes);
  }

  /** The catalogue of type names a condition without `resources:` may use. */
  get resourceTypes(): readonly string[] {
    return this.#compiler.resourceTypes;
  }

  /** Throws ERR_POLICY_INVALID (naming the policy, field, position and reason) and changes nothing. */
  addPolicy(spec: Policy): Policy {
    const name = this.#checkName(spec);
    if (this.#policies.has(name)) throw policyInvalid(name, 'name', `policy "${name}" already exists`);
    return this.#install(this.#compile(name, spec, this.#order++));
  }

  /** Replaces an existing policy (same name), keeping its place in the evaluation order. */
  updatePolicy(spec: Policy): Policy {
    const name = this.#checkName(spec);
    const old = this.#policies.get(name);
    if (old === undefined) throw policyInvalid(name, 'name', `policy "${name}" does not exist`);
    const compiled = this.#compile(name, spec, old.order);
    this.#unindex(old);
    return this.#install(compiled);
  }

  removePolicy(name: string): boolean {
    const old = this.#policies.get(name);
    if (old === undefined) return false;
    this.#unindex(old);
    this.#policies.delete(name);
    return true;
  }

  getPolicy(name: string): Policy | undefined {
    return this.#policies.get(name)?.policy;
  }

  /** In evaluation order. */
  listPolicies(): Policy[] {
    return [...this.#policies.values()].sort((a, b) => a.order - b.order).map((c) => c.policy);
  }

  /** Every concrete action some policy names in `actions`: part of the action catalogue of whatCan. */
  namedActions(): string[] {
    const out = new Set<string>();
    for (const { policy } of this.#policies.values()) for (const a of policy.actions ?? []) if (!a.endsWith('*')) out.add(a);
    return [...out];
  }

  /** The policies that apply to `action` (its `resource.*` is `wildcard`) on a resource of `type`. */
  applicable(type: string, action: string, wildcard: string): ApplicablePolicies {
    const hit = this.#memo.get(type)?.get(action);
    if (hit !== undefined) return hit;
    const found = this.#lookup(type, action, wildcard);
    if (this.#memoSize >= MAX_MEMO) this.#clearMemo();
    let byAction = this.#memo.get(type);
    if (byAction === undefined) this.#memo.set(type, (byAction = new Map()));
    byAction.set(action, found);
    this.#memoSize++;
    return found;
  }

  #lookup(type: string, action: string, wildcard: string): ApplicablePolicies {
    const seen = new Set<CompiledPolicy>();
    for (const t of [type, ANY]) {
      const byPattern = this.#index.get(t);
      if (byPattern === undefined) continue;
      for (const pattern of [action, wildcard, ANY]) for (const p of byPattern.get(pattern) ?? []) seen.add(p);
    }
    if (seen.size === 0) return NONE;
    const all = [...seen].sort((a, b) => a.order - b.order);
    return Object.freeze({
      deny: Object.freeze(all.filter((p) => p.policy.effect === 'deny')),
      allow: Object.freeze(all.filter((p) => p.policy.effect === 'allow')),
      readsContext: all.some((p) => p.condition.readsContext),
      readsRoles: all.some((p) => p.condition.readsRoles),
    });
  }

  #checkName(spec: Policy): string {
    const raw = (spec as Partial<Policy> | null)?.name;
    try {
      return checkPolicyName(raw);
    } catch (err) {
      throw policyInvalid(String(raw), 'name', (err as Error).message);
    }
  }

  #compile(name: string, spec: Policy, order: number): CompiledPolicy {
    // A misspelt `actions` would otherwise make the policy apply to every action.
    refuseUnknownKeys(POLICY_KEYS, spec, `policy "${name}"`, (message, field, problems) => new LangtrainError('ERR_POLICY_INVALID', message, { policy: name, field, reason: problems.join('; '), problems }));
    const effect = spec.effect as Effect;
    if (effect !== 'allow' && effect !== 'deny') throw policyInvalid(name, 'effect', `effect must be "allow" or "deny", not ${JSON.stringify(effect)}`);
    if (typeof spec.condition !== 'string') throw policyInvalid(name, 'condition', 'condition must be a CEL expression (a string)');
    const actions = spec.actions === undefined ? undefined : rethrowAs(name, 'actions', () => checkPermissionGrants(spec.actions));
    const resources = spec.resources === undefined ? undefined : rethrowAs(name, 'resources', () => checkResourceTypes(spec.resources));
    if (spec.description !== undefined && (typeof spec.description !== 'string' || spec.description.length > MAX_DESCRIPTION)) {
      throw policyInvalid(name, 'description', `description must be a string of at most ${MAX_DESCRIPTION} characters`);
    }
    const condition = this.#compiler.compile(name, spec.condition, resources);
    const policy: Policy = Object.freeze({
      name,
      effect,
      condition: spec.condition,
      ...(actions === undefined ? {} : { actions: Object.freeze(actions) as string[] }),
      ...(resources === undefined ? {} : { resources: Object.freeze(resources) as string[] }),
      ...(spec.description === undefined ? {} : { description: spec.description }),
    });
    const reason = (outcome: 'true' | 'false'): Reason => Object.freeze({ kind: 'policy', policy: name, effect, outcome });
    return { policy, condition, whenTrue: reason('true'), whenFalse: reason('false'), order };
  }

  #install(compiled: CompiledPolicy): Policy {
    this.#policies.set(compiled.policy.name, compiled);
    for (const type of compiled.policy.resources ?? [ANY]) {
      let byPattern = this.#index.get(type);
      if (byPattern === undefined) this.#index.set(type, (byPattern = new Map()));
      for (const pattern of compiled.policy.actions ?? [ANY]) {
        const list = byPattern.get(pattern);
        if (list === undefined) byPattern.set(pattern, [compiled]);
        else list.push(compiled);
      }
    }
    this.#clearMemo();
    return compiled.policy;
  }

  #unindex(compiled: CompiledPolicy): void {
    for (const type of compiled.policy.resources ?? [ANY]) {
      const byPattern = this.#index.get(type);
      for (const pattern of compiled.policy.actions ?? [ANY]) {
        const kept = (byPattern?.get(pattern) ?? []).filter((p) => p.policy.name !== compiled.policy.name);
        if (kept.length === 0) byPattern?.delete(pattern);
        else byPattern?.set(pattern, kept);
      }
      if (byPattern?.size === 0) this.#index.delete(type);
    }
    this.#clearMemo();
  }

  #clearMemo(): void {
    this.#memo = new Map();
    this.#memoSize = 0;
  }
}

export const policyEngineOptionsSchema = z.strictObject({
  resourceTypes: z.array(z.string()).optional(),
});

function checkResourceTypes(resources: unknown): string[] {
  if (!Array.isArray(resources) || resources.length === 0 || resources.length > MAX_RESOURCE_TYPES) {
    throw new Error(`resources must be a list of 1 to ${MAX_RESOURCE_TYPES} resource types (omit it for every type)`);
  }
  return [...new Set(resources.map((t) => checkResourceType(t, 'resources')))];
}

function rethrowAs<T>(policy: string, field: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw policyInvalid(policy, field, (err as Error).message);
  }
}

export function policyInvalid(policy: string, field: string, reason: string): LangtrainError {
  return new LangtrainError('ERR_POLICY_INVALID', `policy "${policy}": ${reason}`, { policy, field, reason });
}
