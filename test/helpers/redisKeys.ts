import type { Redis } from 'ioredis';

/** "FLUSHALL" for one prefix: every key under it, nothing else (other files share this Redis). No vitest import: the chaos run uses it too. */
export async function deletePrefixKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
