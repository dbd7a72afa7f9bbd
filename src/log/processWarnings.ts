import { format } from 'node:util';
import type { Logger } from 'pino';

let installed = false;

/**
 * Every line on stderr is one JSON object, so log shippers never split or drop a message: Node's
 * process warnings (deprecations, listener leaks; printed over several lines by default) and
 * `console.warn`/`console.error` from libraries become pino lines at warn/error level.
 */
export function routeProcessWarnings(log: Logger): void {
  if (installed) return;
  installed = true;
  // Node's own printer is a 'warning' listener: removing it stops the multi-line output.
  process.removeAllListeners('warning');
  process.on('warning', (w: Error & { code?: string }) => {
    log.warn({ warning: { name: w.name, code: w.code } }, oneLine(w.message));
  });
  console.warn = (...args: unknown[]) => log.warn(oneLine(format(...args)));
  console.error = (...args: unknown[]) => log.error(oneLine(format(...args)));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
