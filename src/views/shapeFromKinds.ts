import type { FieldKindCount } from '../db/sql/sampleFieldKinds.js';
import { widen, type ColumnType } from './columnType.js';
import type { FieldShape } from './recordShape.js';

/** An object with more keys than this is a map (keys are data, e.g. ids), not a record: it stays jsonb. */
const MAX_FLATTENED_KEYS = 60;

/**
 * The fields the stored rows show (see sampleFieldKinds), typed by what every sampled value
 * allows: a field seen only with integers is bigint, with integers and decimals numeric, with
 * any other mix of scalars text, with objects or lists mixed in jsonb. Fields only ever null are
 * left out until a value shows their type. Keys come out sorted, so names are given in the same
 * order on every run.
 */
export function shapeFromKinds(counts: FieldKindCount[]): FieldShape[] {
  const index = new Map<string, Set<string>>();
  for (const c of counts) {
    const id = key(c.list, c.path);
    let kinds = index.get(id);
    if (!kinds) index.set(id, (kinds = new Set()));
    kinds.add(c.kind);
  }
  const childKeys = (list: string | null, prefix: string[]) => {
    const out = new Set<string>();
    for (const c of counts) {
      if (c.list === list && c.path.length === prefix.length + 1 && prefix.every((p, i) => c.path[i] === p))
        out.add(c.path[prefix.length]!);
    }
    return [...out].sort(byName);
  };
  const kindsOf = (list: string | null, path: string[]) =>
    [...(index.get(key(list, path)) ?? [])].filter((k) => k !== 'null');

  const fieldsAt = (list: string | null, flattenObjects: boolean, lists: boolean): FieldShape[] => {
    const out: FieldShape[] = [];
    for (const k of childKeys(list, [])) {
      const kinds = kindsOf(list, [k]);
      if (kinds.length === 0) continue;
      if (flattenObjects && kinds.length === 1 && kinds[0] === 'object') {
        const subs = childKeys(list, [k]);
        const fields =
          subs.length <= MAX_FLATTENED_KEYS
            ? subs
                .map((s) => ({ key: s, kinds: kindsOf(list, [k, s]) }))
                .filter((s) => s.kinds.length > 0)
                .map((s) => ({ key: s.key, type: scalar(s.kinds) }))
            : [];
        out.push(fields.length > 0 ? { key: k, type: 'jsonb', fields } : { key: k, type: 'jsonb' });
        continue;
      }
      if (lists && kinds.length === 1 && kinds[0] === 'array') {
        const elements = kindsOf(k, []);
        const items = elements.length === 1 && elements[0] === 'object' ? fieldsAt(k, true, false) : [];
        out.push(items.length > 0 ? { key: k, type: 'jsonb', items } : { key: k, type: 'jsonb' });
        continue;
      }
      out.push({ key: k, type: scalar(kinds) });
    }
    return out;
  };
  return fieldsAt(null, true, true);
}

function scalar(kinds: string[]): ColumnType {
  return kinds.map((k): ColumnType => (k === 'object' || k === 'array' ? 'jsonb' : (k as ColumnType))).reduce(widen);
}

function key(list: string | null, path: string[]): string {
  return JSON.stringify([list, ...path]);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
