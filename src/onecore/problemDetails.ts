import { isObject } from '../json/isObject.js';
import { redactSecrets } from './secrets.js';

/**
 * ASP.NET Core answers errors with RFC 7807/9457 problem details (`application/problem+json`):
 * `title`, `detail`, `status` and, for validation failures, `errors` keyed by parameter. A raw
 * 200-character excerpt of that JSON often cuts off exactly the part that says what was wrong, so
 * it is read into one line instead: `title — detail — after: The cursor is invalid.` (redacted).
 * Undefined when the body is not problem details.
 */
export function problemSummary(body: string | null | undefined): string | undefined {
  if (!body || !body.trimStart().startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const get = (name: string) => Object.entries(value).find(([k]) => k.toLowerCase() === name)?.[1];
  const title = get('title');
  const detail = get('detail');
  const errors = get('errors');
  if (typeof title !== 'string' && typeof detail !== 'string' && !isObject(errors)) return undefined;
  const parts: string[] = [];
  if (typeof title === 'string' && title.trim() !== '') parts.push(title.trim());
  if (typeof detail === 'string' && detail.trim() !== '' && detail.trim() !== title) parts.push(detail.trim());
  if (isObject(errors)) {
    const fields = Object.entries(errors)
      .slice(0, 5)
      .map(([field, messages]) => {
        const list = Array.isArray(messages)
          ? messages.filter((m) => typeof m === 'string')
          : typeof messages === 'string'
            ? [messages]
            : [];
        return `${field}: ${list.slice(0, 3).join(' ')}`.trim();
      });
    if (fields.length > 0) parts.push(fields.join('; '));
  }
  const line = parts.join(' — ').replace(/\s+/g, ' ');
  return redactSecrets(line.length > 300 ? line.slice(0, 300) + '…' : line);
}
