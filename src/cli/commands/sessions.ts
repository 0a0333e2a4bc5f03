import { Command } from 'commander';
import { LangtrainError } from '../../core/errors.js';
import type { Session } from '../../identity/sessions/session-store.js';
import { output, withCommonOptions, type Run } from '../context.js';
import { userNamed, withAuth } from './users.js';

/** `langtrain sessions …`: the live sign-ins of an account; revoking one signs it out everywhere at once. */
export function sessionsCommand(run: Run): Command {
  const sessions = new Command('sessions').description('sign-in sessions: list, revoke');

  withCommonOptions(sessions.command('list'))
    .description("an account's live sessions, oldest first (never their tokens)")
    .requiredOption('--user <username>', 'the account')
    .action((o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, o.user);
        const list = await auth.sessions.list(user.id);
        output(o, list, () => (list.length === 0 ? `${user.username} has no live sessions` : list.map(describe).join('\n')));
      }),
    );

  withCommonOptions(sessions.command('revoke'))
    .description('end one session now')
    .argument('<id>', 'the session id, as `langtrain sessions list --user NAME` shows it')
    .action((id: string, o) =>
      withAuth(run, o, async (auth) => {
        if (!(await auth.sessions.revoke(id))) {
          throw new LangtrainError('ERR_NOT_FOUND', `no live session ${id}; \`langtrain sessions list --user NAME\` shows the live sessions`, { id });
        }
        output(o, { id, revoked: true }, () => `revoked session ${id}`);
      }),
    );

  withCommonOptions(sessions.command('revoke-all'))
    .description("end every session of an account now (after a password reset or a lost device)")
    .requiredOption('--user <username>', 'the account')
    .action((o) =>
      withAuth(run, o, async (auth) => {
        const user = await userNamed(auth, o.user);
        const revoked = await auth.sessions.revokeAllForUser(user.id);
        output(o, { userId: user.id, username: user.username, revoked }, () => `revoked ${revoked} session(s) of ${user.username}`);
      }),
    );

  return sessions;
}

function describe(s: Session): string {
  const from = [s.ip, s.userAgent].filter((x) => x !== null).join(' ');
  return `${s.id}  since ${s.createdAt}  last seen ${s.lastSeenAt}  ends ${s.expiresAt}  ${s.mfa ? 'mfa' : 'password only'}${from ? `  ${from}` : ''}`;
}
