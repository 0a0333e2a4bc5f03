import { closeSync, existsSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import { withStatementCache } from './statement-cache.js';
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
  /** The URL as given, password included: only for opening more connections (worker threads); never print it. */
  readonly connectionUrl: string;
  readonly db: Kysely<any>;
  /**
   * Run `work` holding the database's single writer lock, committed when it resolves.
   * SQLite: `BEGIN IMMEDIATE`, so two processes on one file queue instead of failing
   * mid-transaction. PostgreSQL: a transaction-scoped advisory lock named by `lockName`,
   * scoped to this store's schema.
   */
  writeTransaction<T>(lockName: string, work: (tx: WriteTx) => Promise<T>): Promise<T>;
  /**
   * Push rows just deleted out of the store's files, after a crypto-shred or a deletion that
   * promises the data is gone (a key deleted is a crypto-shred only if its bytes are gone too).
   * SQLite, whose deletes overwrite the freed space with zeros (secure_delete), copies the
   * write-ahead log into the database and truncates it, so the old page versions that still
   * hold the rows go. Best effort, after the work it follows has committed, so it never throws:
   * the work is done whatever becomes of this. It does not wait for a reader (another connection
   * in the middle of a read; waiting would stall the event loop, as better-sqlite3 waits
   * synchronously): the store then tries again after each later write of its own, and at close.
   * True when the files hold no deleted bytes of the work before it; false when that is still
   * pending, and always on PostgreSQL, which can do nothing of the kind: a deleted row stays in
   * its table's pages until they are reused, and in the WAL, replicas and backups until those
   * expire (docs/privacy.md, "Deleted bytes"). Never call it inside writeTransaction.
   */
  scrubDeleted(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Milliseconds a writer waits for another process's lock before failing (SQLite). */
  busyTimeoutMs?: number;
  /** Fail with ERR_NOT_FOUND instead of creating a SQLite file that does not exist (readers such as `audit verify`). */
  mustExist?: boolean;
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
  if (path !== ':memory:' && options.mustExist && !existsSync(path)) {
    throw new LangtrainError('ERR_NOT_FOUND', `there is no database at ${path}; check --db or store.url`);
  }
  if (path !== ':memory:') {
    // The database holds signing keys and personal data: owner-only from the start
    // (SQLite gives its -wal and -shm files the database file's permissions).
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  const handle = new SQLite(path, { timeout: busyTimeoutMs });
  // WAL lets readers (queries, verification) run while a writer appends; synchronous=FULL
  // makes every commit durable against power loss, not only against a process crash,
  // which an audit log promises when logEvent() resolves.
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = FULL');
  handle.pragma('foreign_keys = ON');
  // Deleted rows' bytes are overwritten, not left in free space: erasure deletes keys (data keys,
  // actor keys) and a key recovered from a page's free space undoes the crypto-shred.
  handle.pragma('secure_delete = ON');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
  const file = path === ':memory:' ? undefined : realpathSync(path);
  /** A scrub that did not finish (a reader in the way, an I/O error), tried again after this handle's next write and at close. */
  let scrubPending = false;
  // Queued with this process's writes: a checkpoint cannot run inside a transaction. Without
  // waiting for readers (busy_timeout 0): better-sqlite3 waits synchronously, which would stall
  // the event loop, a server's every request, for the whole busy timeout behind one long read.
  const scrub = async (): Promise<boolean> => {
    try {
      const [row] = await inProcessWriter(file, () =>
        db.connection().execute(async (conn) => {
          await sql.raw('PRAGMA busy_timeout = 0').execute(conn);
          try {
            return (await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(conn)).rows;
          } finally {
            await sql.raw(`PRAGMA busy_timeout = ${busyTimeoutMs}`).execute(conn);
          }
        }),
      );
      scrubPending = row?.busy !== 0;
    } catch {
      scrubPending = true; // a full disk, a closed store: the work it follows stands
    }
    return !scrubPending;
  };
  return {
    dialect: 'sqlite',
    displayUrl: `sqlite:${path}`,
    connectionUrl: `sqlite:${path}`,
    db,
    async writeTransaction(_lockName, work) {
      // Kysely's SQLite driver has one connection behind a mutex; holding it for the whole
      // transaction keeps other callers on this handle out until we commit. Other handles
      // on the same file in this process queue in `inProcessWriter`: better-sqlite3 waits
      // for a busy lock synchronously, so a second handle's BEGIN IMMEDIATE would block the
      // event loop until its timeout while the holder could never reach its COMMIT.
      const result = await inProcessWriter(file, () => db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const result = await work(conn);
          await sql`COMMIT`.execute(conn);
          return result;
        } catch (err) {
          if (handle.inTransaction) await sql`ROLLBACK`.execute(conn);
          throw err;
        }
      }));
      if (scrubPending) await scrub();
      return result;
    },
    scrubDeleted: scrub,
    async close() {
      if (scrubPending) await scrub();
      await db.destroy();
    },
  };
}

/** The tail of each SQLite file's queue of write transactions in this process. */
const sqliteWriteQueues = new Map<string, Promise<void>>();

/** Run `work` after every earlier write transaction on `file` in this process has settled. */
function inProcessWriter<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (file === undefined) return work(); // an in-memory database belongs to one handle
  const result = (sqliteWriteQueues.get(file) ?? Promise.resolve()).then(work);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  sqliteWriteQueues.set(file, tail);
  void tail.then(() => {
    if (sqliteWriteQueues.get(file) === tail) sqliteWriteQueues.delete(file);
  });
  return result;
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
      if (schema) await createSchema(client, schema);
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
    connectionUrl: url,
    db,
    async writeTransaction(lockName, work) {
      return db.transaction().execute(async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ${'.' + lockName}))`.execute(tx);
        return work(tx);
      });
    },
    async scrubDeleted() {
      return false; // see Store.scrubDeleted
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * `CREATE SCHEMA IF NOT EXISTS` is not safe against itself: when two openers (server
 * instances starting together) race, the loser fails with a unique violation on
 * pg_namespace (23505) or duplicate_schema (42P06). Either means the schema now exists.
 */
async function createSchema(client: pg.PoolClient, schema: string): Promise<void> {
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw err;
  }
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
