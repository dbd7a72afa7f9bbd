import { defineCommand } from '../defineCommand.js';
import { createContext } from '../context.js';
import { required } from '../../config/readConfig.js';
import { ConfigError } from '../../config/ConfigError.js';
import { endpointName } from '../../config/validators.js';
import { migrateDatabase } from '../../db/migrate.js';
import { createShopApi } from '../../onecore/createShopApi.js';
import { OneCoreError } from '../../onecore/errors.js';
import { readEnvelope } from '../../onecore/page.js';
import type { RawPage } from '../../onecore/client.js';
import { discoverEndpoints, type Discovery } from '../../sync/discoverEndpoints.js';
import { openapiUrl } from '../../sync/resolveEndpoints.js';
import { describeError } from '../../sync/describeError.js';
import { describeEndpoint, type EndpointReport } from '../../inspect/describeEndpoint.js';
import { renderInspection, type Inspection } from '../../inspect/renderInspection.js';

export const inspectCommand = defineCommand({
  name: 'inspect',
  summary:
    'what the shop really sends: per list endpoint its envelope, page size, next links, key, order, date-time forms, casing; a config snippet',
  details:
    'Before the first sync: renews the token (storing a rotated one), reads the OpenAPI document and the first two pages of each list endpoint. Never prints a token.',
  flags: {
    endpoint: {
      type: 'string',
      value: 'NAME',
      multiple: true,
      help: 'an endpoint to inspect (default: every list endpoint)',
    },
    json: { type: 'boolean', help: 'print JSON' },
  },
  async run({ flags: values }) {
    const chosen = values.endpoint?.map((e) => endpointName('inspect: --endpoint', e));
    const ctx = createContext();
    const baseUrl = required(
      ctx.config,
      'baseUrl',
      'ONECORE_BASE_URL',
      'to inspect the shop (e.g. https://shop.example.com)',
    );
    // The refresh token lives in Postgres, and a rotated one must be kept: inspect renews like any command.
    await migrateDatabase(ctx.pool());
    const api = createShopApi(ctx.config, ctx.pool(), ctx.log);
    try {
      await api.tokens.getAccessToken();
      const docUrl = openapiUrl(ctx.config);
      const openapi: Inspection['openapi'] = { url: docUrl };
      let discovery: Discovery | undefined;
      try {
        const doc = await api.fetchJson(docUrl);
        discovery = discoverEndpoints(doc);
        openapi.version = versionOf(doc);
        openapi.endpoints = discovery.endpoints.length;
        openapi.skipped = discovery.skipped;
        if (discovery.capped !== undefined) openapi.capped = discovery.capped;
      } catch (err) {
        openapi.error = describeError(err);
      }
      const endpoints = chosen ?? ctx.config.endpoints ?? discovery?.endpoints;
      if (endpoints === undefined || endpoints.length === 0) {
        throw new ConfigError(
          `inspect: no endpoints to look at: the OpenAPI document ${openapi.error ? `could not be read (${openapi.error})` : 'lists none'}; name them with --endpoint or ONECORE_ENDPOINTS`,
        );
      }
      const reports: EndpointReport[] = [];
      for (const endpoint of endpoints)
        reports.push(await inspectEndpoint(api.client, endpoint, ctx.config.endpointOptions[endpoint]));
      const inspection: Inspection = { shop: baseUrl, openapi, endpoints: reports, configSnippet: snippet(reports) };
      process.stdout.write(values.json ? JSON.stringify(inspection, null, 2) + '\n' : renderInspection(inspection));
      return 0;
    } finally {
      await api.close();
      await ctx.close();
    }
  },
});

/** The first page, and the second when the first links to one. Failures become the report's status and error. */
async function inspectEndpoint(
  client: ReturnType<typeof createShopApi>['client'],
  endpoint: string,
  options = {},
): Promise<EndpointReport> {
  let first: RawPage;
  try {
    first = await client.fetchRaw(endpoint, null);
  } catch (err) {
    return { endpoint, status: err instanceof OneCoreError ? err.status : null, error: describeError(err), notes: [] };
  }
  let second: RawPage | null = null;
  const notes: string[] = [];
  try {
    const { page } = readEnvelope(first.body, {
      endpoint,
      cursor: null,
      recordsKey: (options as { recordsKey?: string }).recordsKey,
      link: first.link,
    });
    if (page.hasNext && page.next !== null) second = await client.fetchRaw(endpoint, page.next);
  } catch (err) {
    // describeEndpoint reports a first page it cannot read; a failed second request is a note.
    if (err instanceof OneCoreError && err.status !== 200) notes.push(`the second page failed: ${describeError(err)}`);
  }
  const report = describeEndpoint(endpoint, first, second, options);
  report.notes.unshift(...notes);
  return report;
}

function snippet(reports: EndpointReport[]): Inspection['configSnippet'] {
  const endpoints: Record<string, unknown> = {};
  for (const r of reports) if (r.suggestedOptions) endpoints[r.endpoint] = r.suggestedOptions;
  return Object.keys(endpoints).length > 0 ? { endpoints } : null;
}

function versionOf(doc: unknown): string | undefined {
  if (doc === null || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  if (typeof d.openapi === 'string') return `OpenAPI ${d.openapi}`;
  if (typeof d.swagger === 'string') return `Swagger ${d.swagger}`;
  return undefined;
}
