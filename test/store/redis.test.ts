import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLangtrainError } from '../../src/core/errors.js';
import { openRedis, type RedisConnection } from '../../src/store/redis.js';
import { REDIS_URL, redisPrefix } from '../support/services.js';

describe('openRedis', () => {
  let prefix: string;
  let raw: Redis;
  let connection: RedisConnection | undefined;

  beforeEach(async () => {
    prefix = redisPrefix('redis');
    raw = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await raw.connect();
  });
  afterEach(async () => {
    await connection?.close();
    connection = undefined;
    const left = await raw.keys(`${prefix}*`);
    if (left.length > 0) await raw.del(...left);
    await raw.quit();
  });

  it('puts every key under the prefix', async () => {
    connection = await openRedis(REDIS_URL, prefix);
    expect(connection.keyPrefix).toBe(prefix);
    await connection.client.set('rate:client-1', '42');

    // A raw client without the prefix sees the value only at the prefixed name.
    expect(await raw.get(`${prefix}rate:client-1`)).toBe('42');
    expect(await raw.get('rate:client-1')).toBeNull();
    expect(await raw.keys(`${prefix}*`)).toEqual([`${prefix}rate:client-1`]);

    // And reading back through the prefixed client finds it by its short name.
    expect(await connection.client.get('rate:client-1')).toBe('42');
    expect(await raw.del(`${prefix}rate:client-1`)).toBe(1);
    expect(await connection.client.get('rate:client-1')).toBeNull();
  });

  it('keeps two prefixes apart on one Redis', async () => {
    const otherPrefix = redisPrefix('redis-other');
    connection = await openRedis(REDIS_URL, prefix);
    const other = await openRedis(REDIS_URL, otherPrefix);
    try {
      await connection.client.set('shared-name', 'mine');
      expect(await other.client.get('shared-name')).toBeNull();
      await other.client.set('shared-name', 'theirs');
      expect(await connection.client.get('shared-name')).toBe('mine');
    } finally {
      await raw.del(`${otherPrefix}shared-name`);
      await other.close();
    }
  });

  it('closes cleanly, after which the client no longer answers', async () => {
    connection = await openRedis(REDIS_URL, prefix);
    const { client } = connection;
    await connection.close();
    connection = undefined;
    // quit() resolves on Redis's OK; the socket closes just after.
    if (client.status !== 'end') await new Promise((resolve) => client.once('end', resolve));
    await expect(client.get('anything')).rejects.toThrow(/Connection is closed/);
  });

  it('gives ERR_STORE_UNAVAILABLE for an unreachable Redis, saying what to do', async () => {
    let caught: unknown;
    try {
      connection = await openRedis('redis://:r3dispass@127.0.0.1:1', prefix);
    } catch (err) {
      caught = err;
    }
    expect(isLangtrainError(caught, 'ERR_STORE_UNAVAILABLE'), String(caught)).toBe(true);
    const message = (caught as Error).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toMatch(/start Redis or remove store\.redisUrl/);
    expect(message).not.toContain('r3dispass');
  });

  it('prints nothing of its own for an unreachable Redis: the error alone says what happened', async () => {
    const printed: unknown[][] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args));
    try {
      await expect(openRedis('redis://127.0.0.1:1', prefix)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
      await new Promise((resolve) => setTimeout(resolve, 200)); // a late retry would print here
    } finally {
      spy.mockRestore();
    }
    expect(printed.map((args) => args.join(' '))).toEqual([]);
  });
});
