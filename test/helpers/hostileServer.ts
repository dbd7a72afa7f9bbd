import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer: status, headers, body (or a function writing the response itself). */
export interface HostileAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Take over the response completely (stream a huge body, hang, …). */
  handle?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

export interface HostileServer {
  url: string;
  /** Requests seen, by path (without query). */
  seen: Array<{ method: string; path: string; url: string; authorization?: string }>;
  /** The next answers for requests whose path ends with `pathSuffix`; after them, requests go to the target again. */
  script(pathSuffix: string, ...answers: HostileAnswer[]): void;
  /** Answers every request whose path ends with `pathSuffix` this way, until cleared. */
  always(pathSuffix: string, answer: HostileAnswer | null): void;
  close(): Promise<void>;
}

/**
 * A small HTTP server standing between the client and the simulator, for tests of what a
 * glitching or hostile shop (or a proxy in front of it) can send: scripted answers for chosen
 * paths, everything else passed through to `target` unchanged.
 */
export async function startHostileServer(target: string): Promise<HostileServer> {
  const scripted = new Map<string, HostileAnswer[]>();
  const fixed = new Map<string, HostileAnswer>();
  const seen: HostileServer['seen'] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0]!;
      seen.push({ method: req.method ?? 'GET', path, url: req.url ?? '/', authorization: req.headers.authorization });
      let answer: HostileAnswer | undefined;
      for (const [suffix, list] of scripted)
        if (path.endsWith(suffix) && list.length > 0) {
          answer = list.shift();
          break;
        }
      if (!answer)
        for (const [suffix, a] of fixed)
          if (path.endsWith(suffix)) {
            answer = a;
            break;
          }
      if (answer) {
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer!.delayMs));
        if (answer.handle) return answer.handle(req, res);
        res.writeHead(answer.status ?? 200, answer.headers ?? { 'content-type': 'application/json' });
        res.end(answer.body ?? '');
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection') headers[k] = v;
      const upstream = await fetch(target + (req.url ?? '/'), {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (
          k !== 'content-length' &&
          k !== 'transfer-encoding' &&
          k !== 'connection' &&
          k !== 'keep-alive' &&
          k !== 'content-encoding'
        )
          out[k] = v;
      });
      const text = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, out);
      res.end(text);
    })().catch((err: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`hostile server: ${err.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    script(suffix, ...answers) {
      scripted.set(suffix, [...(scripted.get(suffix) ?? []), ...answers]);
    },
    always(suffix, answer) {
      if (answer) fixed.set(suffix, answer);
      else fixed.delete(suffix);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
