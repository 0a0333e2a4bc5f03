import type { Command } from 'commander';
import type { Run } from './context.js';

/**
 * Each command group by the commands it adds, in help order, its module imported only when the
 * command line names it: importing every group (the server, the stores, the detectors) cost
 * every run about 0.3 s of a 0.7 s start on a 2-vCPU machine. Help, a typo (for commander's
 * "did you mean") and anything else load them all.
 */
export const COMMAND_GROUPS: ReadonlyArray<{ names: readonly string[]; load: (run: Run) => Promise<Command[]> }> = [
  { names: ['serve'], load: async (run) => [(await import('./commands/serve.js')).serveCommand(run)] },
  { names: ['audit'], load: async (run) => [(await import('./commands/audit.js')).auditCommand(run)] },
  { names: ['keys'], load: async (run) => [(await import('./commands/keys.js')).keysCommand(run)] },
  { names: ['secrets'], load: async (run) => [(await import('./commands/secrets.js')).secretsCommand(run)] },
  { names: ['users'], load: async (run) => [(await import('./commands/users.js')).usersCommand(run)] },
  { names: ['api-keys'], load: async (run) => [(await import('./commands/api-keys.js')).apiKeysCommand(run)] },
  { names: ['sessions'], load: async (run) => [(await import('./commands/sessions.js')).sessionsCommand(run)] },
  { names: ['iam'], load: async (run) => [(await import('./commands/iam.js')).iamCommand(run)] },
  { names: ['pii'], load: async (run) => [(await import('./commands/pii.js')).piiCommand(run)] },
  { names: ['consent'], load: async (run) => [(await import('./commands/consent.js')).consentCommand(run)] },
  { names: ['lineage'], load: async (run) => [(await import('./commands/lineage.js')).lineageCommand(run)] },
  { names: ['erase'], load: async (run) => [(await import('./commands/erase.js')).eraseCommand(run)] },
  { names: ['dp'], load: async (run) => [(await import('./commands/dp.js')).dpCommand(run)] },
  { names: ['monitor'], load: async (run) => [(await import('./commands/monitor.js')).monitorCommand(run)] },
  { names: ['scan'], load: async (run) => [(await import('./commands/scan.js')).scanCommand(run)] },
  { names: ['incidents'], load: async (run) => [(await import('./commands/incidents.js')).incidentsCommand(run)] },
  { names: ['train'], load: async (run) => [(await import('./commands/train.js')).trainCommand(run)] },
  { names: ['encrypt', 'decrypt'], load: async (run) => (await import('./commands/encrypt.js')).encryptCommands(run) },
];
