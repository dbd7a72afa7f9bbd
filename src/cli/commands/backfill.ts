import { defineCommand } from '../defineCommand.js';
import { readConfig } from '../../config/readConfig.js';
import { enqueueRunCli } from '../../jobs/enqueueCli.js';
import { validateRunRequest } from '../../jobs/runRequest.js';

export const backfillCommand = defineCommand({
  name: 'backfill',
  summary: 'enqueue a manual backfill; prints the job ids',
  details:
    'A backfill re-walks endpoints from the start (or from a cursor) with its own checkpoint and never moves the incremental cursor. A worker runs it.',
  flags: {
    endpoint: {
      type: 'string',
      value: 'NAME',
      multiple: true,
      help: 'an endpoint to backfill (default: every endpoint)',
    },
    from: { type: 'string', value: 'CURSOR', help: 'start from this cursor instead of the beginning' },
  },
  async run({ flags }) {
    const request = validateRunRequest('backfill', 'backfill', flags.endpoint, flags.from);
    return enqueueRunCli(readConfig(), request);
  },
});
