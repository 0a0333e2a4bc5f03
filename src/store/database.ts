import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { LangtrainError } from '../core/errors.js';

/**
 * One database holds all state. SQLite (a file, zero set-up) is the default; PostgreSQL
 * serves several server instances behind a load balancer. Domains talk to it through
 * Kysely so one query works on both; the few places where the dialects differ (write
 * locks, upserts) ask `store.dialect`.
 */
export type Dialect = 'sqlite' | 'postgres';

/** A connection inside a write transaction: the only place domain writes happen. */
export type WriteTx = Kysely<any> | Transaction<any>;

export interface Store {
  readonly dialect: Dialect;
  /** The URL with any password removed: safe to print. */
  readonly displayUrl: string;
  readonly db: Kysely<any>;
  /**
   * Run `work` holding the database's single writer lock, committed when it resolves.
   * SQLite: `BEGIN IMMEDIATE`, so two processes on one file queue instead of failing
   * mid-transaction. PostgreSQL: a transaction-scoped advisory lock named by `lockName`,
   * scoped to this store's schema.
   */
  writeTransaction<T>(lockName: string, work: (tx: WriteTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Milliseconds a writer waits for another process's lock before failing (SQLite). */
  busyTimeoutMs?: number;
}

/**
 * Open `sqlite:PATH`, `sqlite::memory:` or `postgres://…[?schema=NAME]`. A `schema`
 * parameter puts every table in that PostgreSQL schema (created if missing): test runs and
 * tenants sharing one database never see each other's rows.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new LangtrainError(
    'ERR_STORE_URL_UNSUPPORTED',
    `store URL "${redactUrl(url)}" is not supported; use sqlite:PATH, sqlite::memory: or postgres://USER@HOST:PORT/DB`,
    { supported: ['sqlite:', 'postgres://'] },
  );
}

function openSqlite(path: string, options: OpenStoreOptions): Store {
  if (path === '') {
    throw new LangtrainError('ERR_STORE_URL_UNSUPPORTED', 'sqlite: URL needs a file path, e.g. sqlite:.langtrain/langtrain.db');
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const handle = new SQLite(path, { timeout: options.busyTimeoutMs ?? 10_000 });
  // WAL lets readers (queries, verification) run while a writer appends; synchronous=FULL
  // makes every commit durable against power loss, not only against a process crash,
  // which an audit log promises when logEvent() resolves.
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = FULL');
  handle.pragma('foreign_keys = ON');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: handle }) });
  return {
    dialect: 'sqlite',
    displayUrl: `sqlite:${path}`,
    db,
    async writeTransaction(_lockName, work) {
      // Kysely's SQLite driver has one connection behind a mutex; holding it for the whole
      // transaction keeps other callers in this process out until we commit.
      return db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const result = await work(conn);
          await sql`COMMIT`.execute(conn);
          return result;
        } catch (err) {
          if (handle.inTransaction) await sql`ROLLBACK`.execute(conn);
          throw err;
        }
      });
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPostgres(url: string): Promise<Store> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new LangtrainError('ERR_STORE_URL_UNSUPPORTED', `schema "${schema}" must be a lower-case SQL identifier`);
  }
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: 10,
    // BIGINT columns (leaf indices, counts) stay far below 2^53; read them as numbers
    // for this pool only rather than changing the pg module's global parsers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    if (err instanceof Error && /already exists/.test(err.message)) throw err;
    throw new LangtrainError(
      'ERR_STORE_UNAVAILABLE',
      `cannot reach PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}; check the server is running and the URL`,
    );
  }
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    displayUrl: redactUrl(url),
    db,
    async writeTransaction(lockName, work) {
      return db.transaction().execute(async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ${'.' + lockName}))`.execute(tx);
        return work(tx);
      });
    },
    async close() {
      await db.destroy();
    },
  };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
