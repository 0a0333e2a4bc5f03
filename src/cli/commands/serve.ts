import { Command, Option } from 'commander';
import { invalidInput } from '../../core/errors.js';
import { bootstrapAdminToken, startServer } from '../../server/start.js';
import { openSecurity, withCommonOptions, type Run } from '../context.js';

/** `langtrain serve`: the server (the main job) on the configured store. */
export function serveCommand(run: Run): Command {
  return withCommonOptions(new Command('serve'))
    .description('start the LangTrain Security server')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port (default 8787)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS with TLS 1.3 minimum')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .addOption(new Option('--new-admin-token', 'mint a new bootstrap admin token, revoking the old one'))
    .action((o) =>
      run(async () => {
        const port = o.port === undefined ? undefined : Number(o.port);
        if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw invalidInput(`--port ${o.port} is not a port number`);
        const security = await openSecurity(o, {
          config: { server: { ...(o.host ? { host: o.host } : {}), ...(port !== undefined ? { port } : {}), ...(o.tlsCert || o.tlsKey ? { tlsCert: o.tlsCert, tlsKey: o.tlsKey } : {}) } },
        });
        const token = o.newAdminToken ? await security.adminTokens.mint() : await bootstrapAdminToken(security);
        const server = await startServer(security);
        const lines = [`LangTrain Security is listening on ${server.url}`, `store: ${security.store.displayUrl}`];
        if (token) {
          lines.push(
            '',
            'Bootstrap admin token (shown once; it is stored only as a hash):',
            `  ${token}`,
            '',
            'Log in by sending it as a bearer token, e.g.:',
            `  curl -H "Authorization: Bearer ${token}" ${server.url}/v1/audit/events`,
          );
        } else {
          lines.push('', 'Log in with the admin token printed at first start; lost it? restart with --new-admin-token');
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
