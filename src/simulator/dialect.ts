/**
 * API dialects. Public V1 clients show PascalCase records with integer `Id`s, integer foreign keys
 * and integer enums; the simulator's own records are camelCase with string ids. The `pascal`
 * dialect turns each generated record into that form, so clients are tested against both.
 */
import type { EndpointDef } from './records.js';

export type Dialect = 'camel' | 'pascal';

type Obj = Record<string, unknown>;

const upperFirst = (k: string) => (k.length > 0 ? k[0]!.toUpperCase() + k.slice(1) : k);
const lowerFirst = (k: string) => (k.length > 0 ? k[0]!.toLowerCase() + k.slice(1) : k);
/** Our string references: `usr-000123` → 123. */
const REF = /^[a-z]{3}-(\d+)$/;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An already-PascalCase model (productimages) only gets its integer key. */
function isPascalModel(def: EndpointDef): boolean {
  return def.keyField === 'Id';
}

function pascalize(value: unknown, enums: Readonly<Record<string, readonly string[]>>): unknown {
  if (Array.isArray(value)) return value.map((v) => pascalize(v, enums));
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    const name = upperFirst(k);
    const values = enums[k];
    if (values !== undefined && typeof v === 'string' && values.includes(v)) out[name] = values.indexOf(v);
    else if (name.endsWith('Id') && typeof v === 'string' && REF.test(v)) out[name] = Number(REF.exec(v)![1]);
    else out[name] = pascalize(v, enums);
  }
  return out;
}

function camelize(value: unknown, enums: Readonly<Record<string, readonly string[]>>): unknown {
  if (Array.isArray(value)) return value.map((v) => camelize(v, enums));
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    const name = lowerFirst(k);
    const values = enums[name];
    out[name] = values !== undefined && typeof v === 'number' ? (values[v] ?? v) : camelize(v, enums);
  }
  return out;
}

/** A generated record in the dialect: pascal → PascalCase fields, `Id` = the sequence number, integer enums and references. */
export function toDialect(rec: Obj, def: EndpointDef, dialect: Dialect, seq: number): Obj {
  if (dialect === 'camel') return rec;
  if (isPascalModel(def)) return { ...rec, Id: seq };
  const out = pascalize(rec, def.enums ?? {}) as Obj;
  out.Id = seq;
  return out;
}

/** Back to the generator's own form, so its `touch` can change a business field. */
export function fromDialect(rec: Obj, def: EndpointDef, dialect: Dialect): Obj {
  if (dialect === 'camel' || isPascalModel(def)) return rec;
  return camelize(rec, def.enums ?? {}) as Obj;
}

/** The key field's name in the dialect. */
export function dialectKeyField(def: EndpointDef, dialect: Dialect): string {
  return dialect === 'pascal' ? 'Id' : def.keyField;
}

/** The modified field's name in the dialect. */
export function dialectModifiedField(def: EndpointDef, dialect: Dialect): string {
  return dialect === 'pascal' && !isPascalModel(def) ? upperFirst(def.modifiedField) : def.modifiedField;
}

/** Renames the key field (e.g. to `InvoiceId`), keeping its position and value. */
export function renameKey(rec: Obj, from: string, to: string): Obj {
  if (from === to || !Object.hasOwn(rec, from)) return rec;
  const out: Obj = {};
  for (const [k, v] of Object.entries(rec)) out[k === from ? to : k] = v;
  return out;
}
