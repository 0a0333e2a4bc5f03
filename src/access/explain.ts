import type { AuthorizationRequest, Decision, Reason } from './model.js';

/**
 * A decision in words, one line per reason, in evaluation order:
 *
 *   DENIED: alice may not datasets.read on dataset:ds-1
 *   - granted by role data_scientist (permission datasets.read, via ml_engineer), bound to alice on dataset:ds-1 until 2026-12-01T00:00:00Z
 *   - allow policy sensitive_data_access: condition false, so it denies
 */
export function describeDecision(request: AuthorizationRequest, decision: Decision): string {
  const head = `${decision.allowed ? 'ALLOWED' : 'DENIED'}: ${request.principal.id} ${decision.allowed ? 'may' : 'may not'} ${request.action} on ${request.resource.type}:${request.resource.id}`;
  return [head, ...decision.reasons.map((r) => `- ${describeReason(r)}`)].join('\n');
}

export function describeReason(reason: Reason): string {
  switch (reason.kind) {
    case 'no_grant':
      return 'no unexpired binding or asserted role grants this action on this resource, so it denies';
    case 'grant': {
      const via = reason.via === undefined ? '' : `, via ${reason.via}`;
      const b = reason.binding;
      const source =
        b === 'request'
          ? 'asserted by the request'
          : `bound to ${b.principal}${b.resource === undefined ? '' : ` on ${b.resource}`}${b.expires === undefined ? '' : ` until ${b.expires}`}`;
      return `granted by role ${reason.role} (permission ${reason.permission}${via}), ${source}`;
    }
    case 'policy': {
      const decides = reason.effect === 'allow' ? reason.outcome !== 'true' : reason.outcome !== 'false';
      const outcome = reason.outcome === 'error' ? `evaluation error (${reason.error}), which fails closed` : `condition ${reason.outcome}`;
      return `${reason.effect} policy ${reason.policy}: ${outcome}${decides ? ', so it denies' : ''}`;
    }
  }
}
