import { defineCommand } from '../defineCommand.js';
import { createContext } from '../context.js';
import { required } from '../../config/readConfig.js';
import { createShopApi } from '../../onecore/createShopApi.js';
import { resolveEndpoints } from '../../sync/resolveEndpoints.js';
import { readStatus } from '../../db/sql/readStatus.js';
import { table } from '../table.js';
import { migrateDatabase } from '../../db/migrate.js';

export const endpointsCommand = defineCommand({
  name: 'endpoints',
  summary: 'the endpoints that will be synced (configured or discovered), with their state (--json)',
  flags: { json: { type: 'boolean', help: 'print JSON instead of a table' } },
  async run({ flags: values }) {
    const ctx = createContext();
    required(ctx.config, 'baseUrl', 'ONECORE_BASE_URL', 'to list endpoints (the shop URL)');
    await migrateDatabase(ctx.pool());
    const api = createShopApi(ctx.config, ctx.pool(), ctx.log);
    try {
      const { endpoints, source, skipped } = await resolveEndpoints({
        db: ctx.pool(),
        config: ctx.config,
        log: ctx.log,
        fetchJson: api.fetchJson,
      });
      const state = new Map((await readStatus(ctx.pool())).map((s) => [s.endpoint, s]));
      const rows = endpoints.map((name) => {
        const s = state.get(name);
        return {
          name,
          source,
          state: s?.status ?? 'new',
          lastSuccessAt: s?.lastSuccessAt ?? null,
          live: s?.rows?.live ?? null,
          lastError: s?.lastError ?? null,
        };
      });
      // --json keeps its array of endpoints; the skipped routes go to the log there.
      if (values.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else {
        process.stdout.write(
          table(
            ['endpoint', 'source', 'state', 'last success', 'live rows', 'last error'],
            rows.map((r) => [
              r.name,
              r.source,
              r.state,
              r.lastSuccessAt ? new Date(r.lastSuccessAt).toISOString() : null,
              r.live,
              r.lastError,
            ]),
          ),
        );
        if (skipped.length > 0)
          process.stdout.write(
            '\nskipped routes of the OpenAPI document:\n' +
              table(
                ['route', 'why'],
                skipped.map((s) => [s.path, s.reason]),
              ),
          );
      }
      return 0;
    } finally {
      await api.close();
      await ctx.close();
    }
  },
});
