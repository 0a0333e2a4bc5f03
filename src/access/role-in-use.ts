import { invalidInput } from '../core/errors.js';
import type { Binding, Role } from './model.js';

/** How many names an error lists before it says "and N more". */
const LISTED_NAMES = 5;

/**
 * A role another role inherits, or a binding names, cannot go: its heirs would inherit nothing
 * and the binding would grant nothing. The refusal says who depends on it and what to do first.
 */
export function refuseRoleInUse(name: string, roles: readonly Role[], bindings: readonly Binding[]): void {
  const heirs = roles.filter((r) => r.inherits?.includes(name)).map((r) => r.name);
  if (heirs.length > 0) {
    const those = heirs.length === 1 ? "that role's" : "those roles'";
    throw invalidInput(`role "${name}" is inherited by ${listed(heirs)}; remove it from ${those} inherits first`, { role: name, inheritedBy: heirs });
  }
  const bound = bindings.filter((b) => b.role === name);
  if (bound.length > 0) {
    const principals = [...new Set(bound.map((b) => b.principal))];
    const which = bound.length === 1 ? '1 binding' : `${bound.length} bindings`;
    throw invalidInput(`role "${name}" is named by ${which} (${listed(principals)}); delete ${bound.length === 1 ? 'that binding' : 'those bindings'} first`, {
      role: name,
      bindings: bound.length,
      boundTo: principals.slice(0, LISTED_NAMES),
    });
  }
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_NAMES).join(', ');
  return names.length > LISTED_NAMES ? `${shown} and ${names.length - LISTED_NAMES} more` : shown;
}
