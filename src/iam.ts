/** `langtrain/iam`: the seed's `langtrain.iam` module (authorization: RBAC with CEL-conditioned ABAC). */
export { Authorizer, PolicyEngine, RoleManager, describeDecision, loadPolicyFile, parsePolicyDocument } from './access/index.js';
export type { AuthorizationRequest, Binding, Decision, Policy, Reason, Role } from './access/index.js';
