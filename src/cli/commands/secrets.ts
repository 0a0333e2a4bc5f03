import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { invalidInput } from '../../core/errors.js';
import type { SecretsManager } from '../../secrets/index.js';
import { output, withCommonOptions, withSecurity, type Opening, type Run } from '../context.js';

/**
 * `langtrain secrets …`: the local secrets store (encrypted by the keyring, versioned,
 * audited by name only). Values are read from a file or stdin, never from the command line,
 * where they would land in shell history and process listings.
 */
export function secretsCommand(run: Run): Command {
  const secrets = new Command('secrets').description('versioned secrets, encrypted by the keyring; every access audited (names only)');
  // The local provider over this deployment's store, keyring and audit log.
  const withSecrets = (o: Record<string, any>, work: (manager: SecretsManager) => Promise<void>, opening?: Opening) =>
    withSecurity(run, o, (security) => work(security.secretsManager({ ...(o.rotation ? { rotationSchedule: o.rotation } : {}) })), opening);

  withCommonOptions(secrets.command('put'))
    .description('store a new version of a secret')
    .argument('<name>')
    .option('--from-file <file>', 'read the value from a file (default: standard input)')
    .option('--tag <key=value...>', 'tags, e.g. --tag environment=production service=database')
    .action((name: string, o) =>
      withSecrets(o, async (manager) => {
        const value = (o.fromFile ? readFileSync(o.fromFile, 'utf8') : readFileSync(0, 'utf8')).replace(/\r?\n$/, '');
        if (value === '') throw invalidInput('the secret value is empty: pipe it on standard input or pass --from-file');
        const stored = await manager.storeSecret({ name, value, ...(o.tag ? { tags: parseTags(o.tag) } : {}) });
        output(o, stored, () => `stored ${stored.name} version ${stored.version}`);
      }, { store: 'create' }),
    );

  withCommonOptions(secrets.command('get'))
    .description('print a secret value (the current version, or --secret-version)')
    .argument('<name>')
    .option('--secret-version <version>', 'a version id as printed by put or rotate')
    .action((name: string, o) =>
      withSecrets(o, async (manager) => {
        const secret = await manager.getSecret(name, o.secretVersion ? { version: o.secretVersion } : {});
        output(o, secret, () => secret.value);
      }),
    );

  withCommonOptions(secrets.command('list'))
    .description('secret names, versions and tags (never values)')
    .option('--tag <key=value>', 'only secrets with this tag')
    .action((o) =>
      withSecrets(o, async (manager) => {
        const list = await manager.listSecrets(o.tag ? { tag: parseTags([o.tag]) } : {});
        output(o, list, () => (list.length === 0 ? 'no secrets' : list.map((s) => `${s.name}  v${s.version}  ${JSON.stringify(s.tags)}`).join('\n')));
      }),
    );

  withCommonOptions(secrets.command('rotate'))
    .description('replace a secret with a fresh random value (32 bytes, base64url); --due rotates all past --rotation')
    .argument('[name]')
    .option('--due', 'rotate every secret whose current version is older than --rotation')
    .option('--rotation <duration>', 'the rotation schedule for --due, e.g. 30d')
    .action((name: string | undefined, o) =>
      withSecrets(o, async (manager) => {
        if (o.due) {
          if (!o.rotation) throw invalidInput('--due needs --rotation, e.g. --rotation 30d');
          const rotated = await manager.rotateDue(new Date());
          output(o, { rotated }, () => (rotated.length === 0 ? 'no secret was due' : `rotated: ${rotated.map((r) => r.name).join(', ')}`));
          return;
        }
        if (!name) throw invalidInput('name the secret to rotate, or pass --due --rotation 30d');
        const rotated = await manager.rotateSecret(name);
        output(o, rotated, () => `rotated ${rotated.name} to version ${rotated.version}`);
      }),
    );

  withCommonOptions(secrets.command('delete'))
    .description('delete a secret: every version is destroyed')
    .argument('<name>')
    .action((name: string, o) =>
      withSecrets(o, async (manager) => {
        await manager.deleteSecret(name);
        output(o, { deleted: name }, () => `deleted ${name}`);
      }),
    );

  return secrets;
}

function parseTags(pairs: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw invalidInput(`--tag ${pair}: write KEY=VALUE`);
    tags[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return tags;
}
