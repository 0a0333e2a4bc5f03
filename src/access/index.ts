export type { Attributes, AttributeValue, AuthorizationRequest, Binding, Decision, Effect, PermissionPattern, Policy, PolicyOutcome, PrincipalRef, Reason, Role } from './model.js';
export { Authorizer, type AuthorizerOptions, type Explanation, type PrincipalInput, type ResourceInput } from './authorizer.js';
export { RoleManager, MAX_BINDINGS_PER_PRINCIPAL, type BindOptions, type GrantReason, type RoleSpec } from './role-manager.js';
export { PolicyEngine, type PolicyEngineOptions } from './policy-engine.js';
export { DEFAULT_RESOURCE_TYPES, MAX_CONDITION_LENGTH } from './condition-compiler.js';
export { describeDecision, describeReason } from './explain.js';
export { buildPolicyDocument, parsePolicyDocument, type PolicyDocument, type PolicyDocumentOptions, type PolicyProblem } from './policy-document.js';
export { loadPolicyFile, MAX_POLICY_FILE_BYTES } from './policy-file.js';
