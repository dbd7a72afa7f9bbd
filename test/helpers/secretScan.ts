import { Writable } from 'node:stream';
import type { Pool } from '../../src/db/createPool.js';
import { createLogger, type Logger } from '../../src/log/createLogger.js';

/**
 * Collects every token a test file handles (from the simulator and from Postgres) and every
 * piece of text the code under test produced (log lines, error messages, child output), so a
 * last test can prove that no token ever ended up in any of it.
 */
export class SecretScan {
  readonly tokens = new Set<string>();
  readonly texts: string[] = [];

  /** A logger at debug level whose every line is kept for the scan. */
  logger(): Logger {
    const texts = this.texts;
    const sink = new Writable({
      write(chunk, _enc, done) {
        texts.push(String(chunk));
        done();
      },
    });
    return createLogger('debug', sink);
  }

  token(...values: Array<string | null | undefined>): void {
    for (const v of values) if (v) this.tokens.add(v);
  }

  text(...values: Array<unknown>): void {
    for (const v of values) {
      if (v instanceof Error) {
        this.texts.push(v.message, String(v.stack ?? ''), JSON.stringify(v));
        const excerpt = (v as { excerpt?: unknown }).excerpt;
        if (typeof excerpt === 'string') this.texts.push(excerpt);
      } else if (v !== undefined && v !== null) {
        this.texts.push(typeof v === 'string' ? v : JSON.stringify(v));
      }
    }
  }

  /** Every token value ever stored in the credentials row since the last call. */
  async tokensFrom(pool: Pool): Promise<void> {
    const { rows } = await pool.query(
      `select refresh_token, previous_refresh_token, access_token from onecore_sync.credentials`,
    );
    for (const r of rows) this.token(r.refresh_token, r.previous_refresh_token, r.access_token);
  }

  /** Texts that contain a token (with the token shortened, so a failure report does not leak it either). */
  leaks(): string[] {
    const found: string[] = [];
    for (const t of this.tokens) {
      for (const text of this.texts) {
        const at = text.indexOf(t);
        if (at >= 0)
          found.push(`token ${t.slice(0, 6)}… in …${JSON.stringify(text.slice(Math.max(0, at - 60), at))}<TOKEN>`);
      }
    }
    return found;
  }
}

/** Captures an error thrown by `fn` (failing the test if none is thrown). */
export async function caught(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
