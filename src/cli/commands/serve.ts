import { Command, Option } from 'commander';
import { openSecurity, withCommonOptions, type Run } from '../context.js';
import { wholeNumberOption } from '../number-options.js';

/** `langtrain serve`: the server (the main job) on the configured store. */
export function serveCommand(run: Run): Command {
  return withCommonOptions(new Command('serve'))
    .description('start the LangTrain Security server')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port (default 8787; 0 picks a free one)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS with TLS 1.3 minimum')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .addOption(new Option('--new-setup-code', 'print a new one-time code that creates an administrator (revokes any unused one)'))
    .action((o) =>
      run(async () => {
        const port = o.port === undefined ? undefined : wholeNumberOption(o.port, '--port', 0, 65_535);
        const security = await openSecurity(o, {
          store: 'create',
          config: { server: { ...(o.host ? { host: o.host } : {}), ...(port !== undefined ? { port } : {}), ...(o.tlsCert || o.tlsKey ? { tlsCert: o.tlsCert, tlsKey: o.tlsKey } : {}) } },
        });
        // Loaded here: every other command would otherwise load the whole server at start.
        const { prepareAdminSetup, startServer } = await import('../../server/start.js');
        const setup = await prepareAdminSetup(security, { fresh: Boolean(o.newSetupCode) });
        const server = await startServer(security);
        const lines = [`LangTrain Security is listening on ${server.url}`, `store: ${security.store.displayUrl}`];
        if (setup.state === 'new_code') {
          lines.push('', ...setupCodeLines(server.url, setup.setupCode, setup.adminExists));
        } else if (setup.state === 'code_pending') {
          lines.push('', 'No administrator yet: use the setup code printed at first start (POST /v1/auth/setup); lost it? restart with --new-setup-code');
        } else {
          lines.push('', `Sign in: POST ${server.url}/v1/auth/login {"username", "password"}`);
        }
        lines.push(`API description: ${server.url}/openapi.json`);
        process.stdout.write(lines.join('\n') + '\n');
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        await security.close();
      }, o.json),
    );
}

/** How to use a just-minted setup code; the example username is a placeholder once an admin (maybe named admin) exists. */
function setupCodeLines(url: string, setupCode: string, adminExists: boolean): string[] {
  const username = adminExists ? '<new username>' : 'admin';
  return [
    adminExists
      ? 'An administrator already exists. This new setup code (shown once, usable once; it revoked any unused one) creates another administrator, under a username not yet taken:'
      : 'No administrator yet. Create one with this setup code (shown once, usable once):',
    `  ${setupCode}`,
    '',
    'e.g.:',
    `  curl -X POST ${url}/v1/auth/setup -H 'content-type: application/json' \\`,
    `    -d '{"setupCode":"${setupCode}","username":"${username}","password":"<at least 15 characters>"}'`,
    '',
    'Then sign in:',
    `  curl -X POST ${url}/v1/auth/login -H 'content-type: application/json' -d '{"username":"${username}","password":"…","mode":"token"}'`,
    'and send the returned token as "Authorization: Bearer <token>".',
  ];
}
