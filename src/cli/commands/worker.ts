import type { Command } from '../commands.js';
import { parseFlags } from '../args.js';
import { readConfig } from '../../config/readConfig.js';
import { createLogger } from '../../log/createLogger.js';
import { runWorker } from '../../jobs/runWorker.js';
import { readWorkerSettings } from '../../jobs/workerSettings.js';

export const workerCommand: Command = {
  summary: 'run BullMQ workers, the job schedules and the admin HTTP server until SIGTERM/SIGINT',
  async run(argv) {
    parseFlags('worker', argv, {});
    const config = readConfig();
    const settings = readWorkerSettings();
    const log = createLogger(config.logLevel);
    const code = await runWorker(config, settings, log);
    // Everything is closed; should a stray handle keep the event loop alive, do not hang.
    setTimeout(() => process.exit(code), 2_000).unref();
    return code;
  },
};
