import type { Command } from '../commands.js';
import { parseFlags } from '../args.js';
import { readConfig } from '../../config/readConfig.js';
import { enqueueRunCli } from '../../jobs/enqueueCli.js';
import { validateRunRequest } from '../../jobs/runRequest.js';

export const backfillCommand: Command = {
  summary: 'enqueue a manual backfill: [--endpoint NAME]… [--from CURSOR]; prints the job ids',
  async run(argv) {
    const { values } = parseFlags('backfill', argv, { endpoint: { type: 'string', multiple: true }, from: { type: 'string' } });
    const request = validateRunRequest('backfill', 'backfill', values.endpoint, values.from);
    return enqueueRunCli(readConfig(), request);
  },
};
