import { Redis } from 'ioredis';
import { LangtrainError } from '../core/errors.js';
import { redactUrl } from './database.js';

/**
 * Redis is optional: with several server instances it holds what they must share at once
 * (rate-limit counters now; session revocation and job queues later). Every key carries the
 * configured prefix so deployments and test runs sharing one Redis never collide.
 */
export interface RedisConnection {
  readonly client: Redis;
  readonly keyPrefix: string;
  close(): Promise<void>;
}

export async function openRedis(url: string, keyPrefix: string): Promise<RedisConnection> {
  const client = new Redis(url, { keyPrefix, lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  // Without a listener, ioredis prints every failed attempt as "[ioredis] Unhandled error
  // event" with a stack trace; while connecting, the error below says it once, and what to do.
  const quiet = (): void => {};
  client.on('error', quiet);
  try {
    await client.connect();
    await client.ping();
    client.off('error', quiet);
  } catch (err) {
    client.disconnect();
    throw new LangtrainError(
      'ERR_STORE_UNAVAILABLE',
      `cannot reach Redis at ${redactUrl(url)}: ${(err as Error).message}; start Redis or remove store.redisUrl`,
    );
  }
  return {
    client,
    keyPrefix,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
