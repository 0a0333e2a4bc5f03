import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import { durationField, parseOptions } from '../../core/options.js';
import { ALERT_RULES, type AlertRule } from '../monitor/alert-rules.js';

/** The actions a playbook can take, each done for real (incident-response.ts). */
export const PLAYBOOK_ACTIONS = ['notify_security_team', 'block_source_ip', 'initiate_forensic_analysis'] as const;
export type PlaybookAction = (typeof PLAYBOOK_ACTIONS)[number];

/** The seed's other actions and triggers, refused until what they act on exists. */
const ACTIONS_NOT_YET: Readonly<Record<string, string>> = {
  isolate_affected_models: 'there is no model registry to isolate a model in yet',
  revert_to_previous_checkpoint: 'there is no model registry to revert a model in yet',
  enhance_input_filtering: 'AdversarialDefense takes no new filters at run time yet',
  collect_attack_samples: 'AdversarialDefense keeps no samples (it records digests, not inputs, which may hold personal data)',
  update_defense_models: 'AdversarialDefense does not retrain its classifier at run time yet',
};
const TRIGGERS_NOT_YET: Readonly<Record<string, string>> = {
  high_confidence_poisoning_alert: 'data set poisoning scans (ThreatDetector) are not built yet',
  adversarial_input_confirmed: 'AdversarialDefense records the inputs it flags (threat.adversarial_input), but no alert rule raises alerts from them yet',
};

/** The seed's `create_playbook(name, triggers, actions, escalation_time)`, camelCased. */
export interface PlaybookInput {
  /** lower_snake_case, e.g. `brute_force_detected`; saving it again replaces it. */
  name: string;
  /** The alert rules that open an incident: `failed_auth_attempts`, `unusual_data_access`, `model_performance_drop`. */
  triggers: string[];
  /** Done in order, each recorded: `notify_security_team`, `block_source_ip`, `initiate_forensic_analysis`. */
  actions: string[];
  /** An incident not acknowledged by then is escalated (notified again, recorded), e.g. `15m`. */
  escalationTime?: string | number;
  /** How long `block_source_ip` blocks an address (default `24h`). */
  blockFor?: string | number;
}

export interface Playbook {
  name: string;
  triggers: AlertRule[];
  actions: PlaybookAction[];
  escalationMs: number | null;
  blockForMs: number;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

const schema = z.strictObject({
  name: z.string().regex(NAME, 'a lower_snake_case name of at most 64 characters, e.g. brute_force_detected'),
  triggers: z.array(z.string()).min(1, 'give at least one alert rule'),
  actions: z.array(z.string()).min(1, 'give at least one action'),
  escalationTime: durationField('escalationTime').optional(),
  blockFor: durationField('blockFor').default(24 * 3_600_000),
});

export function parsePlaybook(input: unknown): Playbook {
  const p = parseOptions(schema, input, 'IncidentResponse.createPlaybook');
  const refuse = (code: 'ERR_CONFIG_UNSUPPORTED_OPTION' | 'ERR_OPTION_NOT_SUPPORTED_YET', message: string): never => {
    throw new LangtrainError(code, `IncidentResponse.createPlaybook: ${message}`);
  };
  for (const trigger of p.triggers) {
    if ((ALERT_RULES as readonly string[]).includes(trigger)) continue;
    const reason = TRIGGERS_NOT_YET[trigger];
    refuse(reason ? 'ERR_OPTION_NOT_SUPPORTED_YET' : 'ERR_CONFIG_UNSUPPORTED_OPTION', `trigger ${trigger} ${reason ? `is not supported yet: ${reason}` : 'is no alert rule'} (supported: ${ALERT_RULES.join(', ')})`);
  }
  for (const action of p.actions) {
    if ((PLAYBOOK_ACTIONS as readonly string[]).includes(action)) continue;
    const reason = ACTIONS_NOT_YET[action];
    refuse(reason ? 'ERR_OPTION_NOT_SUPPORTED_YET' : 'ERR_CONFIG_UNSUPPORTED_OPTION', `action ${action} ${reason ? `is not supported yet: ${reason}` : 'is unknown'} (supported: ${PLAYBOOK_ACTIONS.join(', ')})`);
  }
  if (p.escalationTime !== undefined && p.escalationTime < 60_000) refuse('ERR_CONFIG_UNSUPPORTED_OPTION', 'escalationTime: at least 1m');
  if (p.blockFor < 60_000 || p.blockFor > 365 * 86_400_000) refuse('ERR_CONFIG_UNSUPPORTED_OPTION', 'blockFor: between 1m and 365d');
  return { name: p.name, triggers: [...new Set(p.triggers)] as AlertRule[], actions: [...new Set(p.actions)] as PlaybookAction[], escalationMs: p.escalationTime ?? null, blockForMs: p.blockFor };
}
