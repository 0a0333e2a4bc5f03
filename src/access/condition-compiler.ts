import { Environment } from '@marcbachmann/cel-js';
import { LangtrainError } from '../core/errors.js';
import { checkResourceType } from './names.js';

/**
 * CEL conditions, parsed and type-checked once when a policy is added, so a bad one is refused
 * with its position and reason before it can decide anything.
 *
 * Variables: `user`, `resource` and `context` are maps (attributes are the caller's, so their
 * keys and types are only known per request), `action` a string, and the resource under its
 * type name. A policy that lists `resources` sees exactly those type names (a `dataset` policy
 * that mentions `model` can never be satisfied: refused); one that does not sees the engine's
 * catalogue of resource types. At evaluation only the request's own type is bound, so naming
 * another type fails, and fails closed.
 */

/** The resource types a condition without `resources:` may name, beside those the engine adds. */
export const DEFAULT_RESOURCE_TYPES: readonly string[] = ['dataset', 'model', 'experiment', 'deployment', 'endpoint', 'pipeline', 'project', 'secret'];

/** Longest condition accepted: policies are rules, not programs. */
export const MAX_CONDITION_LENGTH = 10_000;

export interface CompiledCondition {
  /** Call with the request's activation; may throw (an evaluation error). */
  evaluate: (activation: object) => unknown;
  /** Whether it may read `context` (else the decision need not build it, nor read the clock). */
  readsContext: boolean;
  /** Whether it may read `user.roles` (else the decision need not work out the roles held). */
  readsRoles: boolean;
}

/** A position inside the condition text: 0-based offset, 1-based line and column. */
export interface ConditionPosition {
  offset: number;
  line: number;
  column: number;
}

export class ConditionCompiler {
  readonly #base: Environment;
  readonly #catalogue: readonly string[];
  /** One environment per distinct set of type names (few: most policies share them). */
  readonly #environments = new Map<string, Environment>();

  constructor(resourceTypes: readonly string[] = []) {
    this.#catalogue = [...new Set([...DEFAULT_RESOURCE_TYPES, ...resourceTypes.map((t) => checkResourceType(t, 'resourceTypes'))])].sort();
    // Limits bound parse time and stack depth for conditions written by anyone with policy rights.
    this.#base = new Environment({ limits: { maxAstNodes: 5_000, maxDepth: 100, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 32 } })
      .registerVariable('user', 'map', { description: 'Principal attributes plus id and roles' })
      .registerVariable('resource', 'map', { description: 'Resource attributes plus id and type' })
      .registerVariable('action', 'string', { description: 'The requested resource.action' })
      .registerVariable('context', 'map', { description: 'time (timestamp), ip, mfa and any caller keys' });
  }

  get resourceTypes(): readonly string[] {
    return this.#catalogue;
  }

  /** Throws ERR_POLICY_INVALID naming `policy`, the position in the condition and the reason. */
  compile(policy: string, condition: string, resources?: readonly string[]): CompiledCondition {
    if (condition.trim() === '' || condition.length > MAX_CONDITION_LENGTH) {
      throw conditionError(policy, condition, `must be a non-empty CEL expression of at most ${MAX_CONDITION_LENGTH} characters`, 0);
    }
    const env = this.#environment(resources ?? this.#catalogue);
    let parsed;
    try {
      parsed = env.parse(condition);
    } catch (err) {
      throw celError(policy, condition, err);
    }
    // check() also records the checked types on the tree, so evaluation skips re-checking.
    const checked = parsed.check();
    if (!checked.valid) throw celError(policy, condition, checked.error);
    if (checked.type !== 'bool' && checked.type !== 'dyn') {
      throw conditionError(policy, condition, `must be a bool expression, not ${checked.type}`, 0);
    }
    return { evaluate: parsed, ...readsOf(parsed.ast) };
  }

  #environment(types: readonly string[]): Environment {
    const key = [...types].sort().join(',');
    let env = this.#environments.get(key);
    if (env === undefined) {
      env = this.#base.clone();
      for (const type of types) env.registerVariable(type, 'map', { description: `The ${type} the request is about` });
      this.#environments.set(key, env);
    }
    return env;
  }
}

interface AstNode {
  op: string;
  args: unknown;
}

const isNode = (value: unknown): value is AstNode => typeof value === 'object' && value !== null && typeof (value as AstNode).op === 'string';

/**
 * What a condition may read, from its syntax tree. Conservative: `user` used any way but as
 * `user.<field other than roles>` (whole, indexed, as a macro variable) counts as reading roles.
 */
function readsOf(root: unknown): { readsContext: boolean; readsRoles: boolean } {
  const reads = { readsContext: false, readsRoles: false };
  const visit = (node: unknown, parent: AstNode | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, parent);
      return;
    }
    if (!isNode(node)) return;
    if (node.op === 'id') {
      if (node.args === 'context') reads.readsContext = true;
      if (node.args === 'user' && !(parent?.op === '.' && Array.isArray(parent.args) && parent.args[0] === node && parent.args[1] !== 'roles')) reads.readsRoles = true;
      return;
    }
    visit(node.args, node);
  };
  visit(root, undefined);
  return reads;
}

/** The 1-based line and column of `offset` in `text`. */
export function positionIn(text: string, offset: number): ConditionPosition {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { offset, line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

function celError(policy: string, condition: string, err: unknown): LangtrainError {
  const e = err as { summary?: string; message?: string; range?: { start: number } };
  return conditionError(policy, condition, e.summary ?? e.message ?? String(err), e.range?.start);
}

/** `offset` undefined: the CEL library did not say where, and no made-up position is given. */
function conditionError(policy: string, condition: string, reason: string, offset: number | undefined): LangtrainError {
  if (offset === undefined) return new LangtrainError('ERR_POLICY_INVALID', `policy "${policy}": condition: ${reason}`, { policy, field: 'condition', reason });
  const at = positionIn(condition, Math.min(Math.max(offset, 0), condition.length));
  return new LangtrainError('ERR_POLICY_INVALID', `policy "${policy}": condition at line ${at.line}, column ${at.column}: ${reason}`, {
    policy,
    field: 'condition',
    reason,
    position: at,
  });
}
