import type { Command } from '../commands.js';
import { parseFlags } from '../args.js';
import { ConfigError } from '../../config/ConfigError.js';
import { oneOf } from '../../config/validators.js';
import { readConfig } from '../../config/readConfig.js';
import { enqueueRunCli } from '../../jobs/enqueueCli.js';
import { validateRunRequest } from '../../jobs/runRequest.js';

export const triggerCommand: Command = {
  summary: 'enqueue a run now: trigger incremental|mirror [--endpoint NAME]…; prints the job ids',
  async run(argv) {
    const { values, positionals } = parseFlags('trigger', argv, { endpoint: { type: 'string', multiple: true } }, 1);
    if (positionals[0] === undefined) throw new ConfigError('trigger: say which run, incremental or mirror (backfills: `onecore-sync backfill`)');
    const mode = oneOf('trigger: mode', positionals[0], ['incremental', 'mirror'] as const);
    const request = validateRunRequest('trigger: --endpoint', mode, values.endpoint, undefined);
    return enqueueRunCli(readConfig(), request);
  },
};
