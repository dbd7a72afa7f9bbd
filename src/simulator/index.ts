/**
 * oneCORE simulator: a fake oneCORE shop over real HTTP for tests, the demo and the benchmark.
 * See types.ts for the options and the control API.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { AuthState } from './auth.js';
import { emptyCounts, FaultController } from './faults.js';
import { buildOpenApi } from './openapi.js';
import { PageRenderer } from './page.js';
import { ENDPOINT_DEFS } from './records.js';
import { Rng } from './random.js';
import { createHandler, MAX_PAGE_SIZE, type ServerContext } from './server.js';
import { EndpointStore } from './store.js';
import type { Simulator, SimulatorOptions, SimulatorStats } from './types.js';

export type {
  Dialect,
  EndpointInfo,
  EnvelopeOptions,
  ListOrder,
  FaultConfig,
  FaultKind,
  FaultOnceOptions,
  Simulator,
  SimulatorOptions,
  SimulatorStats,
} from './types.js';
export {
  DATE_SAMPLES,
  DATETIME_FORMS,
  DOTNET_MIN_DATETIME,
  formatDateTime,
  type DateSample,
  type DateTimeForm,
} from './dates.js';
export { FAULT_KINDS } from './faults.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export { ENDPOINT_DEFS } from './records.js';

const DEFAULT_RECORDS = 1000;

function emptyStats(names: string[]): SimulatorStats {
  const requests: Record<string, number> = {};
  for (const n of names) requests[n] = 0;
  return {
    renewCalls: 0,
    renewRefused: 0,
    requests,
    unauthorized: 0,
    badRequests: 0,
    faultsInjected: emptyCounts(),
    rotations: 0,
    requestTimes: [],
  };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? 1;
  const dialect = options.dialect ?? 'camel';
  const order = options.order ?? 'oldest-first';
  const envelope = {
    recordsKey: 'items',
    casing: dialect === 'pascal' ? ('pascal' as const) : ('camel' as const),
    next: 'after' as const,
    ...options.envelope,
  };
  const openapiPath = (options.openapiPath ?? '/swagger/v2/swagger.json').toLowerCase().replace(/(.)\/$/, '$1');
  const pageSize = Math.min(Math.max(1, Math.floor(options.pageSize ?? 100)), MAX_PAGE_SIZE);

  const countFor = (name: string): number => {
    const r = options.records;
    if (typeof r === 'number') return Math.max(0, Math.floor(r));
    return Math.max(0, Math.floor(r?.[name] ?? DEFAULT_RECORDS));
  };
  const stores = new Map<string, EndpointStore>();
  const storeOptions = (name: string) => ({ dialect, order, keyField: options.keyFields?.[name] });
  for (const def of ENDPOINT_DEFS)
    stores.set(
      def.name,
      new EndpointStore(def, seed, def.forbidden ? 0 : countFor(def.name), countFor, storeOptions(def.name)),
    );
  const storeFor = (endpoint: string): EndpointStore => {
    const s = stores.get(endpoint.toLowerCase());
    if (!s) throw new Error(`simulator: unknown endpoint ${endpoint}`);
    return s;
  };

  const auth = new AuthState({
    seed,
    refreshToken: options.refreshToken,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    rotateAfterSeconds: options.rotateAfterSeconds ?? 5 * 24 * 3600,
    rotationGraceSeconds: options.rotationGraceSeconds ?? 0,
    // Date.now (not a captured clock) so vitest fake timers can age tokens.
    now: () => Date.now(),
  });
  const faults = new FaultController(seed);
  const names = ENDPOINT_DEFS.map((d) => d.name);
  let stats = emptyStats(names);

  let baseUrl = '';
  let openapiJson: string | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const charsets: ServerContext['charsets'] = new Map();
  const listingLimits: ServerContext['listingLimits'] = new Map();
  const ctx: ServerContext = {
    stores,
    charsets,
    listingLimits,
    auth,
    faults,
    get stats() {
      return stats;
    },
    renderer: new PageRenderer(envelope, () => baseUrl),
    pageSize,
    latencyMs: options.latencyMs ?? 0,
    latencyJitterMs: options.latencyJitterMs ?? 0,
    latencyRng: Rng.derive(seed, 'latency'),
    pascal: envelope.casing === 'pascal',
    problemDetails: dialect === 'pascal',
    openapiPath,
    openapi: () => (openapiJson ??= buildOpenApi(ENDPOINT_DEFS, envelope, baseUrl, storeOptions)),
    sleep,
  };

  const server: Server = createServer({ keepAlive: true }, createHandler(ctx));
  // Outlive typical client keep-alive timeouts (undici: 4 s) so the client, not the server, closes
  // idle sockets; this avoids races where a request is written to a socket the server just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('simulator: unexpected server address');
  baseUrl = `http://127.0.0.1:${addr.port}`;

  let closing: Promise<void> | null = null;
  const sim: Simulator = {
    url: baseUrl,
    get refreshToken() {
      return auth.refreshToken;
    },
    endpoints: ENDPOINT_DEFS.map((d) => ({
      name: d.name,
      keyField: stores.get(d.name)!.keyField,
      forbidden: d.forbidden,
    })),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
    insert: (endpoint, count = 1) => storeFor(endpoint).insert(count),
    insertRecord: (endpoint, record) => storeFor(endpoint).insertRaw(record),
    insertRecordText: (endpoint, text) => storeFor(endpoint).insertText(text),
    limitListing: (endpoint, count) => {
      storeFor(endpoint);
      if (count === null) listingLimits.delete(endpoint.toLowerCase());
      else listingLimits.set(endpoint.toLowerCase(), Math.max(0, Math.floor(count)));
    },
    setCharset: (endpoint, charset) => {
      storeFor(endpoint);
      if (charset === null) charsets.delete(endpoint.toLowerCase());
      else charsets.set(endpoint.toLowerCase(), charset);
    },
    update: (endpoint, id, patch) => storeFor(endpoint).update(String(id), patch),
    remove: (endpoint, id) => storeFor(endpoint).remove(String(id)),
    truth: (endpoint) => storeFor(endpoint).truth(),
    count: (endpoint) => storeFor(endpoint).size,
    expireAccessTokens: () => auth.expireAccessTokens(),
    rotateNow: () => auth.rotateNow(),
    setRefreshToken: (token) => auth.setRefreshToken(token),
    faults: {
      set: (config) => faults.set(config),
      once: (kind, opts) => faults.once(kind, opts),
      clear: () => faults.clear(),
    },
    stats() {
      return {
        ...stats,
        requests: { ...stats.requests },
        requestTimes: [...stats.requestTimes],
        faultsInjected: { ...faults.injected },
        rotations: auth.rotations,
      };
    },
    resetStats() {
      stats = emptyStats(names);
      faults.resetCounts();
      auth.rotations = 0;
    },
  };
  return sim;
}
