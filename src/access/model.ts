/**
 * The authorization model: roles, bindings, policies, requests and decisions. Types only; the
 * rules that give them meaning live in authorizer.ts (decision semantics in its comment and in
 * docs/access.md).
 */

/** `resource.action` (`models.train`), `resource.*` or `*`. Grammar in core/permissions.ts. */
export type PermissionPattern = string;

export interface Role {
  /** Lower-case `[a-z][a-z0-9_.-]*`, at most 64 characters (the same names users carry). */
  name: string;
  permissions: PermissionPattern[];
  /** Roles whose permissions this one also grants (transitively). Cycles are refused. */
  inherits?: string[];
  description?: string;
}

/** Who a binding names: a user id, `group:<name>` or `api_key:<id>`. */
export type PrincipalRef = string;

export interface Binding {
  principal: PrincipalRef;
  role: string;
  /**
   * Where the role applies: omitted for every resource; a type (`model`) for every resource of
   * that type; `type:id` (`dataset:ds-1`) for one resource.
   */
  resource?: string;
  /** ISO 8601 instant after which the binding never grants. */
  expires?: string;
}

export type Effect = 'allow' | 'deny';

export interface Policy {
  /** Unique; named in reasons and errors. */
  name: string;
  effect: Effect;
  /** A CEL expression of type bool over `user`, `resource`, the resource's type name, `action`, `context`. */
  condition: string;
  /** Action patterns (`datasets.*`) the policy applies to; omitted: every action. */
  actions?: PermissionPattern[];
  /** Resource types (`dataset`) the policy applies to; omitted: every type. */
  resources?: string[];
  description?: string;
}

/** JSON-like attribute values as callers give them (converted to CEL values once per request). */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface AuthorizationRequest {
  principal: {
    id: string;
    /** Roles the caller asserts for this request (e.g. from its session), added to the bindings'. */
    roles?: string[];
    /** Groups the principal belongs to: bindings to `group:<name>` apply. */
    groups?: string[];
    attributes?: Attributes;
  };
  /** Concrete `resource.action` (no wildcards). */
  action: string;
  resource: { type: string; id: string; attributes?: Attributes };
  /** `time` (ISO 8601; default: now) is the decision's clock; `ip`, `mfa` and any other keys. */
  context?: Attributes;
}

export type PolicyOutcome = 'true' | 'false' | 'error';

export type Reason =
  | {
      kind: 'grant';
      /** The role the binding (or the request) gives the principal. */
      role: string;
      /** The inherited role that carries `permission`, when it is not `role` itself. */
      via?: string;
      binding: Binding | 'request';
      permission: PermissionPattern;
    }
  | { kind: 'no_grant' }
  /** `error` is the evaluation error (missing attribute, wrong type): it fails closed. */
  | { kind: 'policy'; policy: string; effect: Effect; outcome: PolicyOutcome; error?: string };

export interface Decision {
  allowed: boolean;
  /** The grant that matched (or `no_grant`) and each policy that applied, in evaluation order. */
  reasons: Reason[];
}
