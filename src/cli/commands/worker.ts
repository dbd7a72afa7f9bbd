import { defineCommand } from '../defineCommand.js';
import { readConfig } from '../../config/readConfig.js';
import { createLogger } from '../../log/createLogger.js';
import { runWorker } from '../../jobs/runWorker.js';
import { readWorkerSettings } from '../../jobs/workerSettings.js';

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'run BullMQ workers, the job schedules and the admin HTTP server until SIGTERM/SIGINT',
  details:
    'Migrates first. The queue lives in Redis (REDIS_URL) or in Postgres (QUEUE_BACKEND=postgres, the default without REDIS_URL). The admin server (ADMIN_HOST:ADMIN_PORT) serves /healthz and /metrics, and with ADMIN_TOKEN the trigger routes.',
  flags: {},
  async run() {
    const config = readConfig();
    const settings = readWorkerSettings();
    const log = createLogger(config.logLevel);
    const code = await runWorker(config, settings, log);
    // Everything is closed; should a stray handle keep the event loop alive, do not hang.
    setTimeout(() => process.exit(code), 2_000).unref();
    return code;
  },
});
