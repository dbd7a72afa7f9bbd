import { isObject } from '../json/isObject.js';
import type { ColumnType } from './columnType.js';
import type { FieldShape, RecordShape } from './recordShape.js';

type Schema = Record<string, unknown>;

/**
 * The typed-view shape of a record schema (as `recordSchemaOf` returns it): OpenAPI types map to
 * column types (integer → bigint, number → numeric, string date-time → timestamptz, string date →
 * date, other strings → text, objects → flattened one level, lists of objects → child views).
 * A field whose schema gives no type is left out here, so the stored rows decide it.
 */
export function shapeFromSchema(schema: Schema): RecordShape {
  return { fields: fieldsOf(schema, { flatten: true, lists: true }), description: text(schema.description) };
}

/** What a level may still hold: objects flattened into it, lists as child views (only the record's own). */
interface Level {
  flatten: boolean;
  lists: boolean;
}

function fieldsOf(schema: Schema, level: Level): FieldShape[] {
  if (!isObject(schema.properties)) return [];
  const out: FieldShape[] = [];
  for (const [key, raw] of Object.entries(schema.properties)) {
    if (!isObject(raw)) continue;
    const field = fieldOf(key, raw, level);
    if (field) out.push(field);
  }
  return out;
}

function fieldOf(key: string, s: Schema, level: Level): FieldShape | undefined {
  const description = text(s.description) ?? text(s.title);
  const base = description ? { key, declared: true, description } : { key, declared: true };
  const type = typeName(s);
  if (type === 'object' || (type === undefined && isObject(s.properties))) {
    const fields = level.flatten ? fieldsOf(s, { flatten: false, lists: false }) : [];
    return fields.length > 0 ? { ...base, type: 'jsonb', fields } : { ...base, type: 'jsonb' };
  }
  if (type === 'array') {
    const items = isObject(s.items) ? s.items : {};
    const itemType = typeName(items);
    const isObjects = level.lists && (itemType === 'object' || (itemType === undefined && isObject(items.properties)));
    // A list element is flattened like a record, but its own lists stay jsonb (no grandchild views).
    const fields = isObjects ? fieldsOf(items, { flatten: true, lists: false }) : [];
    return fields.length > 0 ? { ...base, type: 'jsonb', items: fields } : { ...base, type: 'jsonb' };
  }
  const scalar = scalarType(type, s);
  return scalar ? { ...base, type: scalar } : undefined;
}

/** `type`, also in the 3.1 form `["string", "null"]`; an enum without a type takes its values' type. */
function typeName(s: Schema): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    return types.length === 1 && typeof types[0] === 'string' ? types[0] : types.length > 1 ? 'mixed' : undefined;
  }
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const kinds = new Set(s.enum.filter((v) => v !== null).map((v) => (Number.isInteger(v) ? 'integer' : typeof v)));
    return kinds.size === 1 ? [...kinds][0] : 'mixed';
  }
  return undefined;
}

function scalarType(type: string | undefined, s: Schema): ColumnType | undefined {
  switch (type) {
    case 'integer':
      return 'bigint';
    case 'number':
      return 'numeric';
    case 'boolean':
      return 'boolean';
    case 'string':
      return s.format === 'date-time' ? 'timestamptz' : s.format === 'date' ? 'date' : 'text';
    case 'mixed':
      return 'text';
    default:
      return undefined;
  }
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
