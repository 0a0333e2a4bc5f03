import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ConfigInput } from '../../src/core/config.js';
import { SecurityManager } from '../../src/security-manager.js';
import { buildServer } from '../../src/server/app.js';
import { Redis } from 'ioredis';
import { REDIS_URL, redisPrefix, tempDir } from '../support/services.js';

/** Every log line a server wrote, as text and parsed. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  get text(): string {
    return this.lines.join('');
  }
  get records(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface Opened {
  security: SecurityManager;
  /** Temporary directory holding the SQLite file and the audit key. */
  dir: string;
}

/**
 * Opens and closes real SecurityManagers and servers for one test file: call `close()` in
 * afterEach. Stores are SQLite files in a temporary directory unless a URL is given; `env:
 * {}` keeps the developer's LANGTRAIN_* variables out.
 */
export class Fixtures {
  readonly #closers: Array<() => Promise<void> | void> = [];

  async open(config: ConfigInput = {}, storeUrl?: string): Promise<Opened> {
    const dir = tempDir('server');
    this.#closers.push(() => dir.cleanup());
    const security = await SecurityManager.open({
      config: {
        ...config,
        store: { url: storeUrl ?? `sqlite:${join(dir.path, 'langtrain.db')}`, ...config.store },
        audit: { encryptionKey: `file:${join(dir.path, 'audit.key')}`, ...config.audit },
        crypto: { kek: `file:${join(dir.path, 'kek.key')}`, ...config.crypto },
      },
      env: {},
    });
    this.#closers.push(() => security.close());
    return { security, dir: dir.path };
  }

  /** A built server (not listening) over `security`, closed before it. */
  async server(security: SecurityManager, logs = new LogCapture()): Promise<{ app: FastifyInstance; logs: LogCapture }> {
    const app = await buildServer(security, { logStream: logs });
    this.#closers.push(() => app.close());
    return { app, logs };
  }

  /** A SecurityManager, a server over it and an administrator's session token: the usual test setup. */
  async serve(config: ConfigInput = {}, storeUrl?: string): Promise<Opened & { app: FastifyInstance; logs: LogCapture; token: string; auth: { authorization: string } }> {
    const opened = await this.open(config, storeUrl);
    const { app, logs } = await this.server(opened.security);
    const token = await signInAdmin(opened.security);
    return { ...opened, app, logs, token, auth: { authorization: `Bearer ${token}` } };
  }

  /**
   * Two server instances on one store (and, with `redis`, one Redis under a fresh key prefix,
   * cleaned afterwards), as behind a load balancer: the second shares the first's KEK and
   * audit key, so it reads what the first wrote.
   */
  async twoInstances(config: ConfigInput = {}, redis?: { label: string }): Promise<{ first: Opened; second: Opened; a: FastifyInstance; b: FastifyInstance }> {
    const keyPrefix = redis ? redisPrefix(redis.label) : undefined;
    const shared: ConfigInput = keyPrefix ? { ...config, store: { ...config.store, redisUrl: REDIS_URL, redisKeyPrefix: keyPrefix } } : config;
    const first = await this.open(shared);
    const second = await this.open({ ...shared, crypto: { ...shared.crypto, kek: `file:${first.dir}/kek.key` }, audit: { ...shared.audit, encryptionKey: `file:${first.dir}/audit.key` } }, `sqlite:${first.dir}/langtrain.db`);
    const a = (await this.server(first.security)).app;
    const b = (await this.server(second.security)).app;
    if (keyPrefix) {
      const raw = new Redis(REDIS_URL);
      this.defer(async () => {
        const keys = await raw.keys(`${keyPrefix}*`);
        if (keys.length > 0) await raw.del(...keys);
        await raw.quit();
      });
    }
    return { first, second, a, b };
  }

  /** Register something else to close (a listening server, a client). */
  defer(closer: () => Promise<void> | void): void {
    this.#closers.push(closer);
  }

  /** Close in reverse order: servers before the managers they use, files last. */
  async close(): Promise<void> {
    const closers = this.#closers.splice(0).reverse();
    for (const close of closers) await close();
  }
}

export const ADMIN_PASSWORD = 'correct horse battery staple for tests';

/** Create the account `admin` (role admin) unless it exists, sign it in, and return the session token. */
export async function signInAdmin(security: SecurityManager, username = 'admin'): Promise<string> {
  const auth = await security.authenticationManager();
  if (!(await auth.users.findByUsername(username))) await auth.users.createUser({ username, password: ADMIN_PASSWORD, roles: ['admin'] });
  const r = await auth.login({ username, password: ADMIN_PASSWORD });
  if (r.status !== 'authenticated') throw new Error(`admin sign-in failed: ${JSON.stringify(r)}`);
  return r.token;
}

/** Parsed JSON body of an inject() response. */
export const json = <T = any>(res: { body: string }): T => JSON.parse(res.body) as T;

const USER_PASSWORD = 'a long enough passphrase for tests';

/** A signed-in user holding only `permissions` (through a role of its own), as the admin `admin` creates it. */
export async function userWith(app: FastifyInstance, admin: { authorization: string }, username: string, permissions: string[]): Promise<{ authorization: string }> {
  await app.inject({ method: 'POST', url: '/v1/users', headers: admin, payload: { username, password: USER_PASSWORD, roles: [] } });
  await app.inject({ method: 'PUT', url: `/v1/access/roles/${username}_role`, headers: admin, payload: { permissions } });
  await app.inject({ method: 'POST', url: '/v1/access/bindings', headers: admin, payload: { principal: username, role: `${username}_role` } });
  const login = json(await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password: USER_PASSWORD, mode: 'token' } }));
  return { authorization: `Bearer ${login.token}` };
}
