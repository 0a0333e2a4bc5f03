import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Real services for tests: PostgreSQL and Redis on loopback (started by .ci/run). Every
 * test gets its own PostgreSQL schema and Redis key prefix, so runs never see each other.
 */
export const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const RUN = randomBytes(4).toString('hex');

/** A fresh, uniquely named schema URL; `drop()` removes the schema and its tables. */
export function postgresSchema(label: string): { url: string; schema: string; drop: () => Promise<void> } {
  const schema = `t_${RUN}_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(3).toString('hex')}`.toLowerCase();
  return {
    url: `${PG_BASE}?schema=${schema}`,
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: PG_BASE });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export function redisPrefix(label: string): string {
  return `langtrain-test:${RUN}:${label}:${randomBytes(3).toString('hex')}:`;
}

/** A temporary directory removed by `cleanup()`. */
export function tempDir(label: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `langtrain-${label}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A temporary directory for one test, removed by `cleanups`: the function gives the path of a file in it, written first when `text` is given. */
export function tempFiles(label: string, cleanups: Array<() => unknown>): (name: string, text?: string) => string {
  const dir = tempDir(label);
  cleanups.push(dir.cleanup);
  return (name, text) => {
    const path = join(dir.path, name);
    if (text !== undefined) writeFileSync(path, text);
    return path;
  };
}

/** Store URLs to run a store test against: the embedded default and PostgreSQL. */
export function storeUrls(label: string): Array<{ dialect: 'sqlite' | 'postgres'; make: () => { url: string; cleanup: () => Promise<void> } }> {
  return [
    {
      dialect: 'sqlite',
      make: () => {
        const dir = tempDir(label);
        return { url: `sqlite:${join(dir.path, 'langtrain.db')}`, cleanup: async () => dir.cleanup() };
      },
    },
    {
      dialect: 'postgres',
      make: () => {
        const schema = postgresSchema(label);
        return { url: schema.url, cleanup: schema.drop };
      },
    },
  ];
}
