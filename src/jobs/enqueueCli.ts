import type { Config } from '../config/readConfig.js';
import { enqueueRun, type RunRequest } from './enqueue.js';
import { openQueueStore } from './queueStore.js';

/** `trigger` and `backfill`: enqueue, print one job id per line, exit 0. */
export async function enqueueRunCli(config: Config, request: RunRequest): Promise<number> {
  const store = await openQueueStore(config, 'client');
  const queue = store.openQueue();
  try {
    const ids = await enqueueRun(queue, request);
    process.stdout.write(ids.map((id) => `${id}\n`).join(''));
    return 0;
  } finally {
    await queue.close().catch(() => undefined);
    await store.close();
  }
}
