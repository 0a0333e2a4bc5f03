import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import type { AuthenticationManager } from '../../identity/authentication-manager.js';
import { maskPhone } from '../../identity/mfa/sms/sms-sender.js';
import { refuseUnknownRoles } from '../../access/store/known-roles.js';
import type { User } from '../../identity/users/user-record.js';
import { output, withCommonOptions, withSecurity, type CommonOptions, type Run } from '../context.js';

/** How CLI actions appear in the audit trail: no IP, this user agent. */
export const CLI_CLIENT = { userAgent: 'langtrain-cli' } as const;

/** Run `work` with the deployment's AuthenticationManager (the `auth` configuration section, as the server uses). */
export function withAuth(run: Run, options: CommonOptions, work: (auth: AuthenticationManager) => Promise<void>): Promise<void> {
  return withSecurity(run, options, async (security) => work(await security.authenticationManager()));
}

/** The account named `username`, or an error saying how to find the right name. */
export async function userNamed(auth: AuthenticationManager, username: string): Promise<User> {
  const user = await auth.users.findByUsername(username);
  if (!user) throw new LangtrainError('ERR_NOT_FOUND', `no such user ${username}; \`langtrain users list\` shows the accounts`, { username });
  return user;
}

/** Where roles are listed and made: the server's access API (langtrain iam reads policy files, not the store). */
const ROLES_ARE_MANAGED = 'Roles are managed through the server: GET /v1/access lists them, PUT /v1/access/roles/:name creates one';

/** Repeatable options (`--role a --role b`) collect into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `langtrain users …`: accounts. Passwords come from standard input (`--password-stdin`) or
 * a prompt without echo, never from the command line, where they would land in shell history
 * and process listings.
 */
export function usersCommand(run: Run): Command {
  const users = new Command('users').description('accounts: create, list, roles, disable, unlock, passwords, recovery codes');

  withCommonOptions(users.command('create'))
    .description('create an account; the password is prompted for (no echo) or read with --password-stdin')
    .argument('<username>')
    .option('--password-stdin', 'read the password from standard input (one line)')
    .option('--role <name>', 'a role to grant (repeatable)', collect)
    .action((username: string, o) =>
      withSecurity(run, o, async (security) => {
        // Before the password prompt: a refused role should not cost typing it twice.
        await refuseUnknownRoles((await security.accessControl()).store, o.role ?? [], ROLES_ARE_MANAGED);
        const password = await readPassword(o);
        const auth = await security.authenticationManager();
        const user = await auth.users.createUser({ username, password, roles: o.role }, CLI_CLIENT);
        output(o, view(user), () => `created ${user.username}: ${user.id}`);
      }, { store: 'create' }),
    );

  withCommonOptions(users.command('list'))
    .description('accounts (never passwords or secrets)')
    .action((o) =>
      withAuth(run, o, async (auth) => {
        const list = await Promise.all((await auth.users.list()).map(async (user) => ({ ...view(user), secondFactors: await auth.enrolledFactors(user) })));
        output(o, list, () => (list.length === 0 ? 'no users yet (langtrain users create NAME)' : list.map(summary).join('\n')));
      }),
    );

  withCommonOptions(users.command('show'))
    .description('one account: state, second factor, roles, recovery codes left')
    .argument('<username>')
    .action((username: string, o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, username);
        const recoveryCodesLeft = await auth.users.remainingRecoveryCodes(user.id);
        const secondFactors = await auth.enrolledFactors(user);
        output(o, { ...view(user), secondFactors, recoveryCodesLeft }, () =>
          [
            `${user.username}  ${user.id}`,
            `  created           ${user.createdAt}`,
            `  password changed  ${user.passwordChangedAt}`,
            `  state             ${user.disabled ? 'disabled' : 'active'}`,
            `  password          ${user.hasPassword ? 'set' : 'none (cannot sign in with one)'}`,
            `  second factors    ${secondFactors.length === 0 ? 'none' : secondFactors.join(', ')}`,
            `  SMS number        ${user.phone === null ? 'none' : maskPhone(user.phone)}`,
            `  roles             ${user.roles.length === 0 ? 'none' : user.roles.join(', ')}`,
            `  recovery codes    ${recoveryCodesLeft} left`,
          ].join('\n'),
        );
      }),
    );

  withCommonOptions(users.command('set-roles'))
    .description("replace an account's roles (no --role: none)")
    .argument('<username>')
    .option('--role <name>', 'a role to grant (repeatable)', collect)
    .action((username: string, o) =>
      withSecurity(run, o, async (security) => {
        const auth = await security.authenticationManager();
        const { id } = await userNamed(auth, username);
        await refuseUnknownRoles((await security.accessControl()).store, o.role ?? [], ROLES_ARE_MANAGED);
        const user = await auth.users.setRoles(id, o.role ?? [], CLI_CLIENT);
        output(o, user, () => `${user.username}: ${user.roles.length === 0 ? 'no roles' : `roles ${user.roles.join(', ')}`}`);
      }),
    );

  withCommonOptions(users.command('set-phone'))
    .description('set the number SMS codes go to (E.164, e.g. +447700900123), or clear it with --clear; an administrator vouches for it')
    .argument('<username>')
    .argument('[phone]')
    .option('--clear', 'remove the number')
    .action((username: string, phone: string | undefined, o) =>
      withAuth(run, o, async (auth) => {
        if ((phone === undefined) === !o.clear) throw invalidInput('give a phone number, or --clear (not both)');
        const user = await auth.users.setPhone((await userNamed(auth, username)).id, o.clear ? null : phone!, CLI_CLIENT);
        output(o, { id: user.id, username: user.username, phone: user.phone === null ? null : maskPhone(user.phone) }, () => `${user.username}: ${user.phone === null ? 'no SMS number' : `SMS codes go to ${maskPhone(user.phone)}`}`);
      }),
    );

  withCommonOptions(users.command('reset-mfa'))
    .description('for a lost device: remove every second factor (TOTP, recovery codes, passkeys, SMS number) and end the sessions')
    .argument('<username>')
    .action((username: string, o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, username);
        const r = await auth.resetSecondFactors(user.id, CLI_CLIENT);
        output(o, { id: user.id, username: user.username, ...r }, () =>
          `${user.username}: removed ${[r.totp ? 'TOTP' : null, `${r.recoveryCodes} recovery code(s)`, `${r.webauthnCredentials} passkey(s)`, r.phone ? 'the SMS number' : null].filter(Boolean).join(', ')}; ended ${r.sessionsRevoked} session(s)`,
        );
      }),
    );

  withCommonOptions(users.command('link-sso'))
    .description("link the account to an identity provider subject (OIDC sub, SAML NameID), so that provider's sign-ins open it")
    .argument('<username>')
    .requiredOption('--provider <name>', 'a configured auth.ssoProviders name')
    .requiredOption('--subject <id>', "the subject as the provider asserts it")
    .action((username: string, o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, username);
        await auth.linkSsoIdentity(user.id, o.provider, o.subject, CLI_CLIENT);
        output(o, { id: user.id, username: user.username, provider: o.provider, subject: o.subject }, () => `${user.username} is linked to ${o.provider} subject ${o.subject}`);
      }),
    );

  withCommonOptions(users.command('disable'))
    .description('refuse every further sign-in, and revoke the live sessions and API keys of the account')
    .argument('<username>')
    .action((username: string, o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, username);
        const { sessionsRevoked, apiKeysRevoked } = await auth.disableUser(user.id, CLI_CLIENT);
        output(o, { id: user.id, username: user.username, disabled: true, sessionsRevoked, apiKeysRevoked }, () =>
          `disabled ${user.username}; revoked ${sessionsRevoked} session(s) and ${apiKeysRevoked} API key(s)`,
        );
      }),
    );

  withCommonOptions(users.command('unlock'))
    .description('end a lockout after failed sign-ins now, and forget the failures')
    .argument('<username>')
    .action((username: string, o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, username);
        await auth.users.unlock(user.username, CLI_CLIENT);
        output(o, { id: user.id, username: user.username, unlocked: true }, () => `unlocked ${user.username}`);
      }),
    );

  withCommonOptions(users.command('set-password'))
    .description("replace an account's password (prompted for, or --password-stdin) and revoke its sessions")
    .argument('<username>')
    .option('--password-stdin', 'read the password from standard input (one line)')
    .action((username: string, o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, username);
        const password = await readPassword(o);
        await auth.users.setPassword(user.id, password, CLI_CLIENT);
        // Whoever held the old password may hold a session too.
        const sessionsRevoked = await auth.sessions.revokeAllForUser(user.id);
        output(o, { id: user.id, username: user.username, sessionsRevoked }, () => `password of ${user.username} replaced; revoked ${sessionsRevoked} session(s)`);
      }),
    );

  withCommonOptions(users.command('recovery-codes'))
    .description('replace the account\'s recovery codes with ten new ones, printed once')
    .argument('<username>')
    .action((username: string, o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, username);
        const codes = await auth.users.generateRecoveryCodes(user.id, CLI_CLIENT);
        process.stderr.write(`warning: these recovery codes are shown once and cannot be shown again; earlier codes of ${user.username} no longer work\n`);
        output(o, { id: user.id, username: user.username, codes }, () => codes.join('\n'));
      }),
    );

  return users;
}

/** What the CLI prints of an account: the phone masked, as the HTTP API does (it is the user's own business). */
function view(user: User): User {
  return { ...user, phone: user.phone === null ? null : maskPhone(user.phone) };
}

function summary(user: User & { secondFactors: string[] }): string {
  const flags = [
    user.disabled ? 'disabled' : 'active',
    ...(user.hasPassword ? [] : ['no password']),
    user.secondFactors.length === 0 ? 'no second factor' : user.secondFactors.join('+'),
    user.roles.length === 0 ? 'no roles' : `roles ${user.roles.join(',')}`,
  ];
  return `${user.username}  ${user.id}  ${flags.join('  ')}`;
}

/** The password from standard input (`--password-stdin`) or a prompt without echo, asked twice against typos. */
async function readPassword(o: { passwordStdin?: boolean }): Promise<string> {
  if (o.passwordStdin) {
    const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (password === '') throw invalidInput('no password on standard input: pipe it in, e.g. `langtrain users create alice --password-stdin < password.txt`');
    if (/[\r\n]/.test(password)) throw invalidInput('standard input holds more than one line; --password-stdin takes the password alone on one line');
    return password;
  }
  if (!process.stdin.isTTY) throw invalidInput('no password: pass --password-stdin and pipe it in, or run in a terminal to be prompted');
  const password = await promptHidden('password: ');
  if (!sameText(await promptHidden('password again: '), password)) throw invalidInput('the two passwords differ; run the command again');
  if (password === '') throw invalidInput('the password is empty');
  return password;
}

function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Read one line from the terminal in raw mode, so nothing typed is echoed. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the prompt shows: an answer typed right after it must not be echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: LangtrainError) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(invalidInput('cancelled: no password entered'));
        value = ch === '\u007f' || ch === '\b' ? [...value].slice(0, -1).join('') : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}
