import { ProtocolError } from '../onecore/errors.js';
import { isObject } from '../json/isObject.js';
import { readKey } from './prepareRecords.js';

/**
 * The records of an endpoint have no readable key under the configured field, or under any field
 * we may assume. Storing them would reject every record; guessing any further would risk keying
 * the mirror on a field that is not unique. Final: the operator must name the field.
 */
export class KeyFieldNotFound extends ProtocolError {
  override name = 'KeyFieldNotFound';
}

/** `invoices` → `invoice`, `ordershipments` → `ordershipment`, `categories` → `category`, `addresses` → `address`. */
export function singular(endpoint: string): string {
  if (/ies$/i.test(endpoint)) return endpoint.slice(0, -3) + 'y';
  if (/(ss|x|ch|sh)es$/i.test(endpoint)) return endpoint.slice(0, -2);
  if (/[^s]s$/i.test(endpoint)) return endpoint.slice(0, -1);
  return endpoint;
}

/** The fields we look for, in order: `id`, then the singular + `Id` (both matched case-insensitively). */
export function keyCandidates(endpoint: string): string[] {
  return ['id', `${singular(endpoint)}Id`];
}

/**
 * The key field of an endpoint, judged from a page: the configured field when any record holds a
 * usable key there; without configuration the first of `keyCandidates` that does. Undefined when
 * the page holds no object to judge by (decide on a later page). Throws KeyFieldNotFound, naming
 * the fields that could be the key and the option to set, when there is none.
 */
export function detectKeyField(
  endpoint: string,
  records: readonly unknown[],
  configured: string | undefined,
): string | undefined {
  const objects = records.filter(isObject);
  if (objects.length === 0) return undefined;
  const usable = (field: string) => objects.some((r) => readKey(r, field) !== undefined);
  if (configured !== undefined) {
    if (usable(configured)) return configured;
    throw new KeyFieldNotFound(
      `no record holds a usable key in the configured keyField "${configured}"${suggestion(endpoint, objects)}`,
      { endpoint },
    );
  }
  const found = keyCandidates(endpoint).find(usable);
  if (found !== undefined) return found;
  throw new KeyFieldNotFound(
    `the records have no key field: none holds a string or integer in ${keyCandidates(endpoint)
      .map((c) => `"${c}"`)
      .join(' or ')} (any casing)${suggestion(endpoint, objects)}`,
    { endpoint },
  );
}

/** Fields that could be the key: a string or integer in every record of the page, no two alike; id-like names first. */
function suggestion(endpoint: string, objects: Record<string, unknown>[]): string {
  const fields = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  const unique = fields.filter((f) => {
    const keys = objects.map((o) => readKey(o, f));
    return keys.every((k) => k !== undefined) && new Set(keys).size === keys.length;
  });
  const candidates = [
    ...unique.filter((f) => /(id|key|ref)$/i.test(f)),
    ...unique.filter((f) => !/(id|key|ref)$/i.test(f)),
  ];
  const example = candidates[0] ?? 'Id';
  const what =
    candidates.length > 0
      ? `candidate fields: ${candidates.slice(0, 8).join(', ')}`
      : `no field is unique on the first page (fields: ${fields.slice(0, 12).join(', ')})`;
  return `; ${what}. Set keyField for this endpoint in ONECORE_CONFIG_FILE, e.g. {"endpoints": {"${endpoint}": {"keyField": "${example}"}}}`;
}
