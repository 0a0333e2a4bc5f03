import { ADMIN_ROLE } from '../identity/login/first-admin.js';
import type { SecurityManager } from '../security-manager.js';
import { buildServer, type BuildServerOptions } from './app.js';

export interface StartServerOptions extends BuildServerOptions {
  /** Default `server.host` from the configuration. */
  host?: string;
  /** Default `server.port`; 0 picks a free port (see the returned url). */
  port?: number;
}

export interface RunningServer {
  /** Where it listens, e.g. `https://127.0.0.1:8787`. */
  url: string;
  /** Stop accepting, finish in-flight requests and audit writes. Does not close `security`. */
  close(): Promise<void>;
}

/** Build the server and listen. The caller (the CLI's `serve`) prints the url and owns `security`. */
export async function startServer(security: SecurityManager, options: StartServerOptions = {}): Promise<RunningServer> {
  const { host, port, ...build } = options;
  const app = await buildServer(security, build);
  try {
    const url = await app.listen({ host: host ?? security.config.server.host, port: port ?? security.config.server.port });
    // the monitor belongs to `security` and stops with it; the server only starts it when configured
    await security.startConfiguredMonitoring();
    return { url, close: () => app.close() };
  } catch (err) {
    await app.close();
    throw err;
  }
}

/**
 * What `serve` tells the operator about signing in. A `new_code` says whether an active
 * administrator exists: only `fresh` mints one then, and the code makes another administrator
 * (the way back in when no one can sign in as the existing ones).
 */
export type AdminSetup = { state: 'has_admin' } | { state: 'code_pending' } | { state: 'new_code'; setupCode: string; adminExists: boolean };

/**
 * A fresh deployment has no administrator: mint a setup code (shown once) unless an unspent
 * one exists, so a restart never invalidates the code the operator is about to use. `fresh`
 * mints a new one whatever the state (the way back in after losing every admin).
 *
 * Two instances starting at once on an empty store could both mint; the later mint revokes
 * the earlier, so only the code a re-check still accepts is returned.
 */
export async function prepareAdminSetup(security: SecurityManager, options: { fresh?: boolean } = {}): Promise<AdminSetup> {
  const auth = await security.authenticationManager();
  const adminExists = (await auth.users.list()).some((u) => u.roles.includes(ADMIN_ROLE) && !u.disabled);
  if (!options.fresh) {
    if (adminExists) return { state: 'has_admin' };
    if (await security.setupCodes.exists()) return { state: 'code_pending' };
  }
  const setupCode = await security.setupCodes.mint();
  return (await security.setupCodes.check(setupCode)) === null ? { state: 'code_pending' } : { state: 'new_code', setupCode, adminExists };
}
