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
    return { url, close: () => app.close() };
  } catch (err) {
    await app.close();
    throw err;
  }
}

/**
 * The first admin token of a fresh deployment: minted only when no valid one exists, so a
 * restart never revokes the operator's token. Returns it (to be shown once) or null.
 *
 * Two instances starting at once on an empty store could both mint; the later mint revokes
 * the earlier, so only the token a re-check still accepts is returned.
 */
export async function bootstrapAdminToken(security: SecurityManager): Promise<string | null> {
  if (await security.adminTokens.exists()) return null;
  const token = await security.adminTokens.mint();
  return (await security.adminTokens.verify(token)) === null ? null : token;
}
