import { Command } from 'commander';
import { LangtrainError, invalidInput, isLangtrainError } from '../../core/errors.js';
import { parseRate } from '../../core/units.js';
import { MAX_API_KEY_EXPIRY_DAYS, type ApiKeyListing, type IssuedApiKey } from '../../identity/api-keys/api-key-store.js';
import type { User } from '../../identity/users/user-record.js';
import { output, withCommonOptions, type CommonOptions, type Run } from '../context.js';
import { wholeNumberOption } from '../number-options.js';
import { CLI_CLIENT, collect, userNamed, withAuth } from './users.js';

/**
 * `langtrain api-keys …`: keys for programmatic access. A new key is printed once, alone on
 * standard output (the warning goes to standard error), so it can be piped straight into a
 * secrets store; only its HMAC is kept.
 */
export function apiKeysCommand(run: Run): Command {
  const apiKeys = new Command('api-keys').description('API keys: create (shown once), list, revoke, rotate');

  withCommonOptions(apiKeys.command('create'))
    .description('issue a key for an account; it is printed once and cannot be shown again')
    .requiredOption('--user <username>', 'the account the key acts for')
    .option('--permission <permission>', 'a grant: resource.action, resource.* or * (repeatable, at least one)', collect)
    .option('--expiry-days <days>', 'whole days until the key expires', '30')
    .option('--no-auto-rotate', 'do not issue a successor before expiry')
    .option('--rate-limit <rate>', 'requests per window, e.g. 1000/hour, or "none"', '1000/hour')
    .option('--name <text>', 'a label to recognise the key by')
    .action((o) =>
      withAuth(run, o, async (auth) => {
        const permissions: string[] = o.permission ?? [];
        if (permissions.length === 0) throw invalidInput('name at least one --permission, e.g. --permission models.inference');
        const expiryDays = wholeNumberOption(o.expiryDays, '--expiry-days', 1, MAX_API_KEY_EXPIRY_DAYS);
        const rateLimit = o.rateLimit === 'none' ? null : o.rateLimit;
        if (rateLimit !== null) parseRate(rateLimit, '--rate-limit'); // the library would name its option, not the flag
        const user = await userNamed(auth, o.user);
        const issued = await auth.createApiKey({
          userId: user.id,
          permissions,
          expiryDays,
          autoRotate: o.autoRotate,
          rateLimit,
          name: o.name ?? null,
          client: CLI_CLIENT,
        });
        showOnce(o, issued, user);
      }),
    );

  withCommonOptions(apiKeys.command('list'))
    .description('keys with their status (never the key itself); every account unless --user')
    .option('--user <username>', "only this account's keys")
    .action((o) =>
      withAuth(run, o, async (auth) => {
        const owners = o.user ? [await userNamed(auth, o.user)] : await auth.users.list();
        const keys: Array<ApiKeyListing & { username: string }> = [];
        for (const owner of owners) for (const key of await auth.apiKeys.list(owner.id)) keys.push({ ...key, username: owner.username });
        output(o, keys, () => (keys.length === 0 ? 'no API keys (langtrain api-keys create --user NAME --permission P)' : keys.map(describe).join('\n')));
      }),
    );

  withCommonOptions(apiKeys.command('revoke'))
    .description('revoke a key now (and its successor, if not yet handed out)')
    .argument('<id>', 'the key id, as `langtrain api-keys list` shows it')
    .action((id: string, o) =>
      withAuth(run, o, async (auth) => {
        if (!(await auth.apiKeys.revoke(id, CLI_CLIENT))) throw new LangtrainError('ERR_NOT_FOUND', `no unrevoked API key ${id}; \`langtrain api-keys list\` shows the keys and their status`, { id });
        output(o, { id, revoked: true }, () => `revoked ${id}`);
      }),
    );

  withCommonOptions(apiKeys.command('rotate'))
    .description('issue a successor key now (printed once); the old key keeps working for the rotation grace (24h)')
    .argument('<id>', 'the key id, as `langtrain api-keys list` shows it')
    .action((id: string, o) =>
      withAuth(run, o, async (auth) => {
        const issued = await auth.apiKeys.rotate(id, CLI_CLIENT).catch((err: unknown) => {
          throw isLangtrainError(err, 'ERR_NOT_FOUND') ? new LangtrainError('ERR_NOT_FOUND', `no API key ${id}; \`langtrain api-keys list\` shows the keys`, { id }) : err;
        });
        const graceHours = auth.apiKeys.rotationGraceMs / 3_600_000;
        process.stderr.write(`the old key ${id} keeps working for ${graceHours}h (at most until its own expiry)\n`);
        showOnce(o, issued, null);
      }),
    );

  return apiKeys;
}

function showOnce(o: CommonOptions, issued: IssuedApiKey, user: User | null): void {
  process.stderr.write(`warning: the API key ${issued.id} is shown once and cannot be shown again; store it now (a lost key is replaced with \`langtrain api-keys rotate ${issued.id}\`)\n`);
  output(o, { ...issued, ...(user ? { userId: user.id, username: user.username } : {}) }, () => issued.key);
}

function describe(k: ApiKeyListing & { username: string }): string {
  const rate = k.rateLimit ?? 'no rate limit';
  return `${k.id}  ${k.username}  ${k.status}  ${k.permissions.join(',')}  ${rate}  expires ${k.expiresAt}${k.name ? `  "${k.name}"` : ''}`;
}
