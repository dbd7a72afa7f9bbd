import { defineCommand } from '../defineCommand.js';
import { ConfigError } from '../../config/ConfigError.js';
import { oneOf } from '../../config/validators.js';
import { readConfig } from '../../config/readConfig.js';
import { enqueueRunCli } from '../../jobs/enqueueCli.js';
import { validateRunRequest } from '../../jobs/runRequest.js';

export const triggerCommand = defineCommand({
  name: 'trigger',
  summary: 'enqueue a run now; prints the job ids',
  args: { usage: 'incremental|mirror', max: 1, help: 'which run (backfills: `onecore-sync backfill`)' },
  flags: {
    endpoint: { type: 'string', value: 'NAME', multiple: true, help: 'an endpoint to run (default: every endpoint)' },
  },
  async run({ flags, args: positionals }) {
    if (positionals[0] === undefined)
      throw new ConfigError('trigger: say which run, incremental or mirror (backfills: `onecore-sync backfill`)');
    const mode = oneOf('trigger: mode', positionals[0], ['incremental', 'mirror'] as const);
    const request = validateRunRequest('trigger: --endpoint', mode, flags.endpoint, undefined);
    return enqueueRunCli(readConfig(), request);
  },
});
