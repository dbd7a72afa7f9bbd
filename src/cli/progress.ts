import { formatDuration } from '../format/duration.js';
import type { WalkProgress, WalkResult } from '../sync/walkEndpoint.js';

interface Line {
  endpoint: string;
  pages: number;
  records: number;
  started: number;
  /** When the first page arrived (walks wait for a free slot, so not `started`). */
  firstAt?: number;
  /** Records the last complete walk of this endpoint read, when known. */
  total?: number;
  done?: string;
}

/**
 * Live progress for `sync`: on a terminal, one line per endpoint redrawn in place (pages, records,
 * records/s, and — when the last complete walk tells how many records a full walk reads — the
 * share done and an ETA); elsewhere (CI, logs) a plain line per endpoint every few seconds and at
 * the end.
 */
/** `  42% ETA 1m 05s` from the records still to read at the rate so far; empty while unknown. */
export function eta(l: Pick<Line, 'records' | 'total' | 'firstAt'>, now = Date.now()): string {
  if (!l.total || l.firstAt === undefined || l.records === 0) return '';
  const share = Math.min(0.99, l.records / l.total);
  const secs = (now - l.firstAt) / 1000;
  if (secs <= 0) return `  ${Math.floor(share * 100)}%`;
  const left = Math.max(0, l.total - l.records) / (l.records / secs);
  return `  ${String(Math.floor(share * 100)).padStart(2)}% ETA ${formatDuration(left * 1000, { padded: true })}`;
}

export function createProgress(
  out: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>,
  endpoints: string[],
  totals: Map<string, number> = new Map(),
) {
  const tty = out.isTTY === true;
  const lines = new Map<string, Line>(
    endpoints.map((e) => [e, { endpoint: e, pages: 0, records: 0, started: Date.now(), total: totals.get(e) }]),
  );
  const width = Math.max(...endpoints.map((e) => e.length), 8);
  let drawn = 0;
  let lastPlain = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  const text = (l: Line) => {
    const secs = (Date.now() - l.started) / 1000;
    const rate = secs > 0 ? Math.round(l.records / secs) : 0;
    return `${l.endpoint.padEnd(width)}  ${String(l.pages).padStart(6)} pages  ${String(l.records).padStart(9)} records  ${String(rate).padStart(7)}/s${l.done ? '  ' + l.done : eta(l)}`;
  };
  const draw = () => {
    if (!tty) return;
    if (drawn > 0) out.write(`\x1b[${drawn}A`);
    for (const l of lines.values()) out.write(`\x1b[2K${text(l)}\n`);
    drawn = lines.size;
  };
  if (tty) timer = setInterval(draw, 100);

  return {
    update(p: WalkProgress) {
      const l = lines.get(p.endpoint);
      if (!l) return;
      l.firstAt ??= Date.now();
      l.pages = p.pages;
      l.records = p.records;
      if (!tty && Date.now() - (lastPlain.get(p.endpoint) ?? l.started) >= 5000) {
        lastPlain.set(p.endpoint, Date.now());
        out.write(`${text(l)}\n`);
      }
    },
    finish(r: WalkResult) {
      const l = lines.get(r.endpoint);
      if (!l) return;
      l.pages = r.pages;
      l.records = r.recordsSeen;
      l.done = r.status;
      if (!tty) out.write(`${text(l)}\n`);
    },
    stop() {
      if (timer) clearInterval(timer);
      draw();
      lastPlain = new Map();
    },
  };
}
