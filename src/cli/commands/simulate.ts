import { defineCommand } from '../defineCommand.js';
import { choiceFlag } from '../args.js';
import { ConfigError } from '../../config/ConfigError.js';
import { startSimulator, type EnvelopeOptions } from '../../simulator/index.js';

export const simulateCommand = defineCommand({
  name: 'simulate',
  summary: 'serve a fake oneCORE shop; prints its URL and the refresh token it accepts',
  details:
    '`--dialect pascal`: PascalCase fields, integer Ids and references, integer enums, PascalCase envelope, ASP.NET problem details for errors; ' +
    "the envelope flags choose the listing order and the page envelope (records under a dotted path, the metadata object's name, the form of `next`, an RFC 8288 Link header, or one bare JSON array).",
  flags: {
    port: { type: 'integer', value: 'N', min: 0, max: 65535, default: 0, help: 'port to listen on (0: any free port)' },
    records: { type: 'integer', value: 'N', min: 0, max: 10_000_000, default: 1000, help: 'records per endpoint' },
    seed: { type: 'integer', value: 'N', min: 0, max: 2 ** 31 - 1, default: 1, help: 'seed of the generated data' },
    'refresh-token': {
      type: 'string',
      value: 'T',
      help: 'the refresh token the shop accepts (default: a generated one)',
    },
    'page-size': { type: 'integer', value: 'N', min: 1, max: 1000, help: "records per page (default: the API's 100)" },
    dialect: { type: 'string', value: 'camel|pascal', help: 'field naming and types of the API' },
    order: { type: 'string', value: 'oldest-first|newest-first', help: 'listing order' },
    'records-key': { type: 'string', value: 'PATH', help: 'where the records sit in a page, e.g. result.items' },
    'meta-key': {
      type: 'string',
      value: 'metadata|meta|pagination|pageInfo',
      help: "name of the page's metadata object",
    },
    next: { type: 'string', value: 'after|query|url|cursor', help: 'the form of the next-page link' },
    'next-key': { type: 'string', value: 'next|nextCursor|endCursor', help: 'name of the next-page field' },
    'link-header': { type: 'boolean', help: 'send the next page as an RFC 8288 Link header' },
    'bare-array': { type: 'boolean', help: 'pages are one bare JSON array' },
    'key-field': {
      type: 'string',
      value: 'ENDPOINT=FIELD',
      multiple: true,
      help: "serve an endpoint's key under another name, e.g. invoices=InvoiceId",
    },
    'latency-ms': {
      type: 'integer',
      value: 'N',
      min: 0,
      max: 60_000,
      default: 0,
      help: 'a remote shop: every list response waits this long',
    },
    'jitter-ms': {
      type: 'integer',
      value: 'N',
      min: 0,
      max: 60_000,
      default: 0,
      help: 'plus up to this much, drawn per response',
    },
  },
  async run({ flags: values }) {
    const token = values['refresh-token'];
    if (token !== undefined && (token.trim() === '' || /\s/.test(token)))
      throw new ConfigError('simulate: --refresh-token must be a non-empty string without spaces');
    const envelope: EnvelopeOptions = {};
    if (values['records-key'] !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(values['records-key']))
        throw new ConfigError('simulate: --records-key must be a name or a dotted path such as result.items');
      envelope.recordsKey = values['records-key'];
    }
    if (values['meta-key'] !== undefined)
      envelope.metaKey = choiceFlag('simulate', 'meta-key', values['meta-key'], [
        'metadata',
        'meta',
        'pagination',
        'pageInfo',
      ] as const);
    if (values.next !== undefined)
      envelope.next = choiceFlag('simulate', 'next', values.next, ['after', 'query', 'url', 'cursor'] as const);
    if (values['next-key'] !== undefined)
      envelope.nextKey = choiceFlag('simulate', 'next-key', values['next-key'], [
        'next',
        'nextCursor',
        'endCursor',
      ] as const);
    if (values['link-header']) envelope.links = 'header';
    if (values['bare-array']) envelope.bare = true;
    const keyFields: Record<string, string> = {};
    for (const pair of values['key-field'] ?? []) {
      const m = /^([a-z]+)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(pair);
      if (!m)
        throw new ConfigError(`simulate: --key-field must look like invoices=InvoiceId, got ${JSON.stringify(pair)}`);
      keyFields[m[1]!] = m[2]!;
    }
    const sim = await startSimulator({
      port: values.port,
      records: values.records,
      seed: values.seed,
      pageSize: values['page-size'],
      refreshToken: token,
      dialect:
        values.dialect === undefined
          ? undefined
          : choiceFlag('simulate', 'dialect', values.dialect, ['camel', 'pascal'] as const),
      order:
        values.order === undefined
          ? undefined
          : choiceFlag('simulate', 'order', values.order, ['oldest-first', 'newest-first'] as const),
      envelope,
      keyFields,
      // A remote shop: every list response waits this long (plus up to the jitter, drawn per response).
      latencyMs: values['latency-ms'],
      latencyJitterMs: values['jitter-ms'],
    });
    // The refresh token is printed on purpose: it is the simulator's own, and the operator needs it.
    process.stdout.write(`simulator listening on ${sim.url}\nrefresh token: ${sim.refreshToken}\n`);
    process.stdout.write(
      `try: ONECORE_BASE_URL=${sim.url} ONECORE_REFRESH_TOKEN=${sim.refreshToken} DATABASE_URL=… npx onecore-sync sync --mode mirror\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await sim.close();
    return 0;
  },
});
