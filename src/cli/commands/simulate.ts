import type { Command } from '../commands.js';
import { choiceFlag, parseFlags, integerFlag } from '../args.js';
import { ConfigError } from '../../config/ConfigError.js';
import { startSimulator, type EnvelopeOptions } from '../../simulator/index.js';

export const simulateCommand: Command = {
  summary:
    'serve a fake oneCORE shop: --port N --records N --seed N --refresh-token T --page-size N --dialect camel|pascal --order oldest-first|newest-first ' +
    '--records-key PATH --meta-key metadata|meta|pagination|pageInfo --next after|query|url|cursor --next-key next|nextCursor|endCursor --link-header --bare-array --key-field ENDPOINT=FIELD… --latency-ms N --jitter-ms N',
  async run(argv) {
    const { values } = parseFlags('simulate', argv, {
      port: { type: 'string' },
      records: { type: 'string' },
      seed: { type: 'string' },
      'refresh-token': { type: 'string' },
      'page-size': { type: 'string' },
      dialect: { type: 'string' },
      order: { type: 'string' },
      'records-key': { type: 'string' },
      'meta-key': { type: 'string' },
      next: { type: 'string' },
      'next-key': { type: 'string' },
      'link-header': { type: 'boolean' },
      'bare-array': { type: 'boolean' },
      'key-field': { type: 'string', multiple: true },
      'latency-ms': { type: 'string' },
      'jitter-ms': { type: 'string' },
    });
    const token = values['refresh-token'];
    if (token !== undefined && (token.trim() === '' || /\s/.test(token))) throw new ConfigError('simulate: --refresh-token must be a non-empty string without spaces');
    const envelope: EnvelopeOptions = {};
    if (values['records-key'] !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(values['records-key'])) throw new ConfigError('simulate: --records-key must be a name or a dotted path such as result.items');
      envelope.recordsKey = values['records-key'];
    }
    if (values['meta-key'] !== undefined) envelope.metaKey = choiceFlag('simulate', 'meta-key', values['meta-key'], ['metadata', 'meta', 'pagination', 'pageInfo'] as const);
    if (values.next !== undefined) envelope.next = choiceFlag('simulate', 'next', values.next, ['after', 'query', 'url', 'cursor'] as const);
    if (values['next-key'] !== undefined) envelope.nextKey = choiceFlag('simulate', 'next-key', values['next-key'], ['next', 'nextCursor', 'endCursor'] as const);
    if (values['link-header']) envelope.links = 'header';
    if (values['bare-array']) envelope.bare = true;
    const keyFields: Record<string, string> = {};
    for (const pair of values['key-field'] ?? []) {
      const m = /^([a-z]+)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(pair);
      if (!m) throw new ConfigError(`simulate: --key-field must look like invoices=InvoiceId, got ${JSON.stringify(pair)}`);
      keyFields[m[1]!] = m[2]!;
    }
    const sim = await startSimulator({
      port: integerFlag('simulate', 'port', values.port, 0, 65535) ?? 0,
      records: integerFlag('simulate', 'records', values.records, 0, 10_000_000) ?? 1000,
      seed: integerFlag('simulate', 'seed', values.seed, 0, 2 ** 31 - 1) ?? 1,
      pageSize: integerFlag('simulate', 'page-size', values['page-size'], 1, 1000),
      refreshToken: token,
      dialect: values.dialect === undefined ? undefined : choiceFlag('simulate', 'dialect', values.dialect, ['camel', 'pascal'] as const),
      order: values.order === undefined ? undefined : choiceFlag('simulate', 'order', values.order, ['oldest-first', 'newest-first'] as const),
      envelope,
      keyFields,
      // A remote shop: every list response waits this long (plus up to the jitter, drawn per response).
      latencyMs: integerFlag('simulate', 'latency-ms', values['latency-ms'], 0, 60_000) ?? 0,
      latencyJitterMs: integerFlag('simulate', 'jitter-ms', values['jitter-ms'], 0, 60_000) ?? 0,
    });
    // The refresh token is printed on purpose: it is the simulator's own, and the operator needs it.
    process.stdout.write(`simulator listening on ${sim.url}\nrefresh token: ${sim.refreshToken}\n`);
    process.stdout.write(`try: ONECORE_BASE_URL=${sim.url} ONECORE_REFRESH_TOKEN=${sim.refreshToken} DATABASE_URL=… npx onecore-sync sync --mode mirror\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await sim.close();
    return 0;
  },
};
