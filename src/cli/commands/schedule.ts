import { defineCommand } from '../defineCommand.js';
import { readConfig } from '../../config/readConfig.js';
import { openQueueStore } from '../../jobs/queueStore.js';
import { listSchedules, upsertSchedules } from '../../jobs/schedules.js';

export const scheduleCommand = defineCommand({
  name: 'schedule',
  summary: 'create or update the incremental and mirror schedules now (SYNC_*_CRON, SYNC_TZ) and print them',
  flags: {},
  async run() {
    const config = readConfig();
    const store = await openQueueStore(config, 'client');
    const queue = store.openQueue();
    try {
      await upsertSchedules(queue, config);
      for (const s of await listSchedules(queue))
        process.stdout.write(`${s.id}\t${s.pattern}\t${s.tz}\tnext ${s.next ?? '-'}\n`);
      return 0;
    } finally {
      await queue.close().catch(() => undefined);
      await store.close();
    }
  },
});
