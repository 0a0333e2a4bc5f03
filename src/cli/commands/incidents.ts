import { Command, Option } from 'commander';
import type { Incident, IncidentResponse } from '../../threat/incidents/incident-response.js';
import type { Playbook } from '../../threat/incidents/playbook.js';
import { ALERT_STATUSES } from '../../threat/schema.js';
import { cliActor, output, withCommonOptions, withSecurity, type CommonOptions, type Run } from '../context.js';
import { wholeNumberOption } from '../number-options.js';

/**
 * `langtrain incidents …`: the playbooks the monitor runs on its alerts, the incidents they
 * opened, and the addresses they blocked.
 */
export function incidentsCommand(run: Run): Command {
  const incidents = new Command('incidents').description('incident response: playbooks, incidents, blocked addresses');
  const list = (value: string) => value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const withIncidents = (o: CommonOptions, work: (incidents: IncidentResponse) => Promise<void>) => withSecurity(run, o, async (security) => work(await security.incidentResponse()));

  withCommonOptions(incidents.command('list'))
    .description('incidents, newest first, with what each action did')
    .addOption(new Option('--status <status>', 'only incidents in this state').choices([...ALERT_STATUSES]))
    .option('--limit <n>', 'at most this many (default 100, at most 1000)', (v) => wholeNumberOption(v, '--limit', 1, 1_000))
    .action((o) =>
      withIncidents(o, async (ir) => {
        const found = await ir.incidents({ status: o.status, limit: o.limit });
        output(o, { incidents: found }, () => (found.length === 0 ? 'no incidents' : found.map(describeIncident).join('\n')));
      }),
    );

  for (const [verb, status] of [['ack', 'acknowledged'], ['resolve', 'resolved']] as const) {
    withCommonOptions(incidents.command(verb))
      .description(`mark an incident ${status}${status === 'acknowledged' ? ' (stops its escalation)' : ''}`)
      .argument('<incident-id>')
      .action((id: string, o) =>
        withIncidents(o, async (ir) => {
          const changed = await ir.setIncidentStatus(id, status, cliActor());
          output(o, changed, () => `${changed.id} is ${changed.status}`);
        }),
      );
  }

  withCommonOptions(incidents.command('playbook-save'))
    .description('save a playbook (replaces one of the same name); the running monitor uses it from its next poll')
    .argument('<name>', 'lower_snake_case, e.g. brute_force_detected')
    .requiredOption('--triggers <list>', 'alert rules, comma-separated: failed_auth_attempts, unusual_data_access, model_performance_drop', list)
    .requiredOption('--actions <list>', 'done in order, comma-separated: notify_security_team, block_source_ip, initiate_forensic_analysis', list)
    .option('--escalation-time <duration>', 'escalate an incident not acknowledged by then, e.g. 15m')
    .option('--block-for <duration>', 'how long block_source_ip blocks (default 24h)')
    .action((name: string, o) =>
      withIncidents(o, async (ir) => {
        const saved = await ir.createPlaybook({ name, triggers: o.triggers, actions: o.actions, ...(o.escalationTime ? { escalationTime: o.escalationTime } : {}), ...(o.blockFor ? { blockFor: o.blockFor } : {}) }, cliActor());
        output(o, saved, () => `saved ${describePlaybook(saved)}`);
      }),
    );

  withCommonOptions(incidents.command('playbooks'))
    .description('list the playbooks')
    .action((o) =>
      withIncidents(o, async (ir) => {
        const playbooks = await ir.playbooks();
        output(o, { playbooks }, () => (playbooks.length === 0 ? 'no playbooks' : playbooks.map(describePlaybook).join('\n')));
      }),
    );

  withCommonOptions(incidents.command('playbook-delete'))
    .description('delete a playbook (incidents it opened stay)')
    .argument('<name>')
    .action((name: string, o) =>
      withIncidents(o, async (ir) => {
        await ir.deletePlaybook(name, cliActor());
        output(o, { deleted: name }, () => `deleted ${name}`);
      }),
    );

  withCommonOptions(incidents.command('blocked'))
    .description('addresses blocked by playbooks, soonest to expire first')
    .action((o) =>
      withIncidents(o, async (ir) => {
        const blocked = await ir.blocked.list();
        output(o, { blocked }, () => (blocked.length === 0 ? 'no address is blocked' : blocked.map((b) => `${b.address}  until ${b.expiresAt}  (incident ${b.incidentId ?? '-'})`).join('\n')));
      }),
    );

  withCommonOptions(incidents.command('unblock'))
    .description('lift a block (the servers see it within 2 s)')
    .argument('<address>')
    .action((address: string, o) =>
      withIncidents(o, async (ir) => {
        await ir.unblockAddress(address, cliActor());
        output(o, { unblocked: address }, () => `${address} is no longer blocked`);
      }),
    );
  return incidents;
}

function describePlaybook(p: Playbook): string {
  const escalation = p.escalationMs === null ? '' : `, escalate after ${p.escalationMs / 60_000} min`;
  return `${p.name}: on ${p.triggers.join(', ')} -> ${p.actions.join(', ')}${escalation}`;
}

function describeIncident(i: Incident): string {
  const actions = i.actions.map((a) => `${a.action} ${a.status}${a.detail ? ` (${a.detail})` : ''}`).join('; ');
  const escalated = i.escalatedAt ? `  escalated ${i.escalatedAt}` : '';
  return `${i.openedAt}  ${i.id}  ${i.status.padEnd(12)}  ${i.playbook}  ${i.rule} ${i.key}${escalated}\n    ${actions}`;
}
