import type { Queryable } from '../db/sql/queryable.js';
import { readAuthState } from '../db/sql/authFailure.js';
import type { Logger } from '../log/createLogger.js';
import type { SyncQueue } from './queueStore.js';

export interface AuthWatch {
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps the queue's paused state in line with Postgres, every `intervalMs`: paused while an
 * authentication failure is recorded, resumed once it is cleared. Postgres is the source of
 * truth, so this also re-pauses after Redis was wiped and works for every worker in the fleet,
 * whichever of them hit the failure.
 */
export function startAuthWatch(deps: {
  db: Queryable;
  queue: SyncQueue;
  log: Logger;
  intervalMs: number;
  /**
   * While paused: ask the shop again with the tokens we hold, when due (SYNC_AUTH_RETRY_MS,
   * paced fleet-wide in Postgres); true when that renewed. A transient cause (a misbehaving
   * proxy, a shop-side outage that answered 401) then heals without a human.
   */
  retryHeld?: () => Promise<boolean>;
}): AuthWatch {
  const { db, queue, log } = deps;
  let running: Promise<void> | undefined;

  async function checkOnce(): Promise<void> {
    try {
      const state = await readAuthState(db);
      // No credentials row yet: nothing is known to be wrong or fixed; leave the queue as it is.
      if (state === undefined) return;
      const failed = state.at !== null;
      const paused = await queue.isPaused();
      if (failed && !paused) {
        await queue.pause();
        log.error({ reason: state.reason }, authPausedMessage(state.reason));
      } else if (failed && paused && deps.retryHeld && (await deps.retryHeld())) {
        await queue.resume();
        log.warn('the shop accepts the refresh token we hold again; the queue is resumed');
      } else if (!failed && paused) {
        await queue.resume();
        log.warn('a new refresh token is stored; the queue is resumed');
      }
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'auth pause check failed; will try again');
    }
  }

  const check = () => (running ??= checkOnce().finally(() => (running = undefined)));
  const timer = setInterval(() => void check(), deps.intervalMs);
  timer.unref();
  return {
    check,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

export function authPausedMessage(reason: string | null): string {
  const why = reason ?? 'the shop refused the refresh token';
  const what = /token set/.test(why) ? '' : ' Store a valid refresh token with `onecore-sync token set`.';
  return `AUTHENTICATION FAILED, SYNC PAUSED: ${why}.${what} The workers resume by themselves once a new token is stored.`;
}
