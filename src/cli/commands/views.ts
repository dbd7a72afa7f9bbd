import { defineCommand } from '../defineCommand.js';
import { createContext } from '../context.js';
import { endpointName } from '../../config/validators.js';
import { migrateDatabase } from '../../db/migrate.js';
import { createShopApi } from '../../onecore/createShopApi.js';
import { listRecordTables } from '../../db/sql/typedColumns.js';
import { ConfigError } from '../../config/ConfigError.js';
import { refreshViews } from '../../views/refreshViews.js';
import { storeRecordSchemas } from '../../views/storeRecordSchemas.js';
import { table } from '../table.js';

export const viewsCommand = defineCommand({
  name: 'views',
  summary: 'create or refresh the typed views in onecore_typed',
  flags: {
    endpoint: {
      type: 'string',
      value: 'NAME',
      multiple: true,
      help: 'an endpoint whose view to create or refresh (default: every endpoint)',
    },
    offline: {
      type: 'boolean',
      help: "do not read the shop's OpenAPI document; type the views from the stored records",
    },
    json: { type: 'boolean', help: 'print JSON' },
  },
  async run({ flags: values }) {
    const chosen = values.endpoint?.map((e) => endpointName('views: --endpoint', e));
    const ctx = createContext();
    try {
      const pool = ctx.pool();
      await migrateDatabase(pool);
      const tables = await listRecordTables(pool);
      const unknown = chosen?.filter((e) => !tables.includes(e));
      if (unknown && unknown.length > 0)
        throw new ConfigError(`views: no table onecore.${unknown[0]} (sync the endpoint first)`);
      const endpoints = chosen ?? tables;
      // With a shop configured, its OpenAPI document types and describes the views; without one
      // (or with --offline) the last stored document and the stored rows do.
      if (!values.offline && ctx.config.baseUrl !== undefined) {
        const api = createShopApi(ctx.config, pool, ctx.log);
        try {
          await storeRecordSchemas({ db: pool, config: ctx.config, log: ctx.log, fetchJson: api.fetchJson }, endpoints);
        } finally {
          await api.close();
        }
      }
      const reports = await refreshViews(
        { pool, log: ctx.log, keyFieldOf: (e) => ctx.config.endpointOptions[e]?.keyField },
        endpoints,
      );
      if (values.json) {
        process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
      } else {
        const rows = reports.flatMap((r) =>
          r.error !== undefined
            ? [[`onecore_typed.${r.endpoint}`, r.source, null, null, null, `error: ${r.error}`]]
            : r.views.map((v) => [
                v.relation ?? `onecore_typed.${v.view}`,
                r.source,
                v.columns,
                v.created ? 'created' : v.added.length > 0 ? `+${v.added.join(', +')}` : 'unchanged',
                v.retyped.map((t) => `${t.column}: ${t.from} → ${t.to}`).join(', ') || null,
                v.conflicts.length > 0 ? `${v.conflicts.length} conflict(s)` : null,
              ]),
        );
        process.stdout.write(table(['view', 'types from', 'fields', 'change', 'retyped', 'problems'], rows));
        for (const r of reports)
          for (const v of r.views) for (const c of v.conflicts) process.stderr.write(`conflict: ${c}\n`);
      }
      return reports.some((r) => r.error !== undefined) ? 1 : 0;
    } finally {
      await ctx.close();
    }
  },
});
