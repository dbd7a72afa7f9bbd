import { describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.js';
import { prepareRecords } from '../src/sync/prepareRecords.js';
import { rawRecordJson, recordArrayStart } from '../src/sync/rawRecords.js';
import { normalizeDateTime } from '../src/sync/normalizeDates.js';
import { dateTimeNormalizer } from '../src/sync/naiveTimeZone.js';
import { recordJsonText } from '../src/db/sql/upsertRecords.js';
import { parseExact } from '../src/json/exactJson.js';

/**
 * Records written as the bytes the shop sent (rawRecords.ts) must give Postgres the same value as
 * the parsed record normalized and serialized again: checked here record by record, on the
 * simulator's records and on the shapes that must take the slow path.
 */

function prepareBoth(text: string, opts: { recordsPath?: string | null; normalize?: (s: string) => string } = {}) {
  const bytes = Buffer.from(text, 'utf8');
  const path = opts.recordsPath === undefined ? 'items' : opts.recordsPath;
  const body = JSON.parse(text) as unknown;
  const records = (path === null ? body : path.split('.').reduce((o: any, k) => o[k], body)) as unknown[];
  const raw = prepareRecords(records, 'id', { raw: { bytes, recordsPath: path }, normalize: opts.normalize });
  const slow = prepareRecords(records, 'id', { normalize: opts.normalize });
  return { raw, slow };
}

/** Same keys in the same order, and each record's JSON parses to the same value. */
function expectSameValues(raw: ReturnType<typeof prepareRecords>, slow: ReturnType<typeof prepareRecords>): void {
  expect(raw.ids).toEqual(slow.ids);
  expect(raw.rejections).toEqual(slow.rejections);
  expect(raw.datesRewritten).toBe(slow.datesRewritten);
  for (let i = 0; i < raw.ids.length; i++) {
    const text = recordJsonText(raw.json[i]!);
    expect(text).not.toContain('\n');
    expect(JSON.parse(text), raw.ids[i]).toEqual(JSON.parse(recordJsonText(slow.json[i]!)));
  }
}

describe('records written as their own bytes', () => {
  it('hold the same values as the slow path for every simulator endpoint, in both dialects', async () => {
    for (const dialect of ['camel', 'pascal'] as const) {
      const sim = await startSimulator({ records: 300, seed: 7, dialect });
      try {
        for (const e of sim.endpoints) {
          const truth = sim.truth(e.name);
          if (truth.length === 0) continue;
          const text = `{"items":[${truth.map((r) => JSON.stringify(r)).join(',')}],"metadata":{"hasNext":false}}`;
          const bytes = Buffer.from(text, 'utf8');
          const records = (JSON.parse(text) as { items: unknown[] }).items;
          const raw = prepareRecords(records, e.keyField, { raw: { bytes, recordsPath: 'items' } });
          const slow = prepareRecords(records, e.keyField);
          expect(raw.ids).toEqual(slow.ids);
          for (let i = 0; i < raw.ids.length; i++)
            expect(JSON.parse(recordJsonText(raw.json[i]!))).toEqual(JSON.parse(recordJsonText(slow.json[i]!)));
          // The simulator's records take the fast path (no \u escapes, shallow).
          expect(raw.json.every((j) => typeof j !== 'string')).toBe(true);
          expect(raw.datesRewritten).toBe(slow.datesRewritten);
        }
      } finally {
        await sim.close();
      }
    }
  });

  it('rewrite date-time values only, never keys or look-alikes, and replace newlines between tokens', () => {
    const text = `{ "items" : [
      {"id": "a", "2024-03-01T10:00:00+01:00": "2024-03-01T10:00:00+01:00",
       "list": ["2024-03-01T10:00", {"deep": "2024-12-31T23:30:00-05:00"}],
       "look": "2024-0001", "date": "2024-03-01", "esc": "2024-03-01T10:00:00\\"x", "n": 1.50, "e": 1E2},
      {"id":"b","note":"line\\nbreak \\"quoted\\" back\\\\slash \\/ tab\\t","when":"2024-03-01T10:00:00Z"}
    ], "metadata": {"hasNext": false}}`;
    const { raw, slow } = prepareBoth(text);
    expectSameValues(raw, slow);
    const a = JSON.parse(recordJsonText(raw.json[0]!)) as Record<string, unknown>;
    expect(a['2024-03-01T10:00:00+01:00']).toBe('2024-03-01T09:00:00Z');
    expect(a.list).toEqual(['2024-03-01T10:00:00Z', { deep: '2025-01-01T04:30:00Z' }]);
    // Numbers go as sent (the same jsonb value as 1.5 and 100).
    expect(recordJsonText(raw.json[0]!)).toContain('1.50');
    // Canonical already: the record's own bytes, untouched.
    expect(recordJsonText(raw.json[1]!)).toBe(
      '{"id":"b","note":"line\\nbreak \\"quoted\\" back\\\\slash \\/ tab\\t","when":"2024-03-01T10:00:00Z"}',
    );
  });

  it('use the naive time zone the walk uses', () => {
    const text = '{"items":[{"id":"a","at":"2024-07-01T12:00:00","z":"2024-07-01T12:00:00Z"}]}';
    const { raw, slow } = prepareBoth(text, { normalize: dateTimeNormalizer('Europe/Berlin') });
    expectSameValues(raw, slow);
    expect(JSON.parse(recordJsonText(raw.json[0]!))).toEqual({
      id: 'a',
      at: '2024-07-01T10:00:00Z',
      z: '2024-07-01T12:00:00Z',
    });
  });

  it('leave \\u escapes, deep nesting, non-objects and keyless records to the slow path', () => {
    const deep = '['.repeat(600) + ']'.repeat(600);
    const text =
      '{"items":[{"id":"u","name":"caf\\u00e9"},{"id":"nul","x":"a\\u0000b"},{"id":"d","x":' +
      deep +
      '},null,[1],{"noid":1},{"id":"ok","at":"2024-03-01T10:00:00+01:00"}]}';
    const { raw, slow } = prepareBoth(text);
    expectSameValues(raw, slow);
    expect(raw.ids).toEqual(['u', 'd', 'ok']);
    expect(raw.json.map((j) => typeof j)).toEqual(['string', 'string', 'object']);
    expect(raw.rejections.map((r) => r.key)).toEqual(['nul', null, null, null]);
  });

  it('keep the last of a repeated key, in the page, in a record and in the envelope', () => {
    const text = '{"items":[{"id":"a","v":1},{"id":"a","v":2,"v":3},{"id":"b"}],"metadata":{}}';
    const { raw, slow } = prepareBoth(text);
    expectSameValues(raw, slow);
    expect(raw.ids).toEqual(['a', 'b']);
    expect(JSON.parse(recordJsonText(raw.json[0]!))).toEqual({ id: 'a', v: 3 });
    expect(raw.json.every((j) => typeof j !== 'string')).toBe(true);
    // The record array named twice: JSON.parse keeps the second, whatever its length.
    for (const first of ['[{"id":"x"}]', '[{"id":"x"},{"id":"y"}]', '[]']) {
      for (const path of ['items', 'r.items']) {
        const inner = `{"items":${first},"n":1,"items":[{"id":"a"},{"id":"b"}]}`;
        const page = path === 'items' ? inner : `{"r":${inner}}`;
        const twice = prepareBoth(page, { recordsPath: path });
        expectSameValues(twice.raw, twice.slow);
        expect(twice.raw.ids).toEqual(['a', 'b']);
        expect(twice.raw.json.every((j) => typeof j === 'string')).toBe(true);
      }
    }
    const outer = prepareBoth('{"r":{"items":[{"id":"x"},{"id":"y"}]},"r":{"items":[{"id":"a"},{"id":"b"}]}}', {
      recordsPath: 'r.items',
    });
    expect(outer.raw.ids).toEqual(['a', 'b']);
    expect(outer.raw.json.every((j) => typeof j === 'string')).toBe(true);
  });

  it('find the records at a dotted path or in a bare array, and fall back to the slow path when they do not line up', () => {
    const nested = '{"result":{"total":2,"items":[{"id":"a"},{"id":"b"}]},"meta":{"next":null}}';
    expect(prepareBoth(nested, { recordsPath: 'result.items' }).raw.json.map((j) => typeof j)).toEqual([
      'object',
      'object',
    ]);
    const bare = ' [ {"id":"a"} ,\n{"id":"b"} ] ';
    const both = prepareBoth(bare, { recordsPath: null });
    expectSameValues(both.raw, both.slow);
    expect(both.raw.json.map((j) => typeof j)).toEqual(['object', 'object']);
    // A key spelled with an escape may be the one JSON.parse kept: no raw bytes for the page.
    expect(recordArrayStart(Buffer.from('{"it\\u0065ms":[],"items":[{"id":"a"}]}'), 'items')).toBe(-1);
    expect(recordArrayStart(Buffer.from(nested), 'result.missing')).toBe(-1);
    expect(recordArrayStart(Buffer.from(nested), 'items')).toBe(-1);
    // Bytes of another array (more, fewer or other elements than the records): the slow path.
    const bytes = Buffer.from('{"items":[{"id":"a"},{"id":"b"},{"id":"c"}]}');
    for (const records of [
      [{ id: 'a' }, { id: 'b' }],
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }],
    ]) {
      const p = prepareRecords(records, 'id', { raw: { bytes, recordsPath: 'items' } });
      expect(p.json.every((j) => typeof j === 'string')).toBe(true);
    }
    const scalars = Buffer.from('{"items":[1,{"id":"b"}]}');
    const p = prepareRecords([{ id: 'a' }, { id: 'b' }], 'id', { raw: { bytes: scalars, recordsPath: 'items' } });
    expect(p.json).toEqual(['{"id":"a"}', '{"id":"b"}']);
  });

  it('write numbers beyond a double exactly as sent (the exact path)', () => {
    const text =
      '{"items":[{"id":"n","big":79228162514264337593543950335,"f":0.1234567890123456789012345678,"h":1e400}]}';
    const bytes = Buffer.from(text);
    const records = (parseExact(text) as { items: unknown[] }).items;
    const raw = prepareRecords(records, 'id', { raw: { bytes, recordsPath: 'items' }, exactNumbers: true });
    expect(recordJsonText(raw.json[0]!)).toBe(
      '{"id":"n","big":79228162514264337593543950335,"f":0.1234567890123456789012345678,"h":1e400}',
    );
  });

  it('rawRecordJson returns the record itself when nothing changes', () => {
    const body = Buffer.from('[{"id":"a","at":"2024-03-01T10:00:00Z"}]');
    const out = rawRecordJson(body, 1, normalizeDateTime);
    expect(out).toMatchObject({ changed: 0, end: body.length - 1 });
    expect(out.json!.buffer).toBe(body.buffer);
  });
});
