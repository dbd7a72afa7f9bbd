import { describe, expect, it } from 'vitest';
import { pathColumnName, snakeCase, uniqueName } from '../src/views/columnName.js';
import { historyViewColumns, planView, PARENT_COLUMNS, wantedColumns } from '../src/views/planView.js';
import { recordSchemaOf } from '../src/views/recordSchemaOf.js';
import { shapeFromSchema } from '../src/views/shapeFromSchema.js';

describe('typed view column names', () => {
  it('snake_cases camelCase, PascalCase, acronyms, digits and separators', () => {
    const cases: Record<string, string> = {
      orderNumber: 'order_number',
      OrderNumber: 'order_number',
      'order-number': 'order_number',
      order_number: 'order_number',
      Id: 'id',
      ID: 'id',
      HTTPStatus: 'http_status',
      shopUserId: 'shop_user_id',
      widthMm: 'width_mm',
      address2Line: 'address2_line',
      vatRate: 'vat_rate',
      Grösse: 'grösse',
      '2ndLine': 'f_2nd_line',
      '': 'f_',
      __: 'f_',
      'a b.c': 'a_b_c',
    };
    for (const [from, to] of Object.entries(cases)) expect(snakeCase(from), from).toBe(to);
    expect(pathColumnName(['billingAddress', 'zipCode'])).toBe('billing_address__zip_code');
  });

  it('the typed history view keeps every column: one that meets a version column takes the next free name', () => {
    const fields = ['modifiedAt', 'change', 'change_2', 'status'].map((key) => ({ key, type: 'text' as const }));
    const plan = planView('orders', PARENT_COLUMNS, wantedColumns(fields), []);
    expect(plan.columns.map((c) => c.column)).toEqual(['modified_at', 'change', 'change_2', 'status']);
    expect(historyViewColumns(plan.columns).map((c) => c.column)).toEqual([
      'modified_at_2',
      'change_3',
      'change_2',
      'status',
    ]);
  });

  it('keeps names within the identifier limit, in bytes', () => {
    const long = 'ä'.repeat(80);
    expect(Buffer.byteLength(snakeCase(long))).toBeLessThanOrEqual(58);
    expect(Buffer.byteLength(uniqueName(snakeCase(long), new Set([snakeCase(long)])))).toBeLessThanOrEqual(63);
  });

  it('de-duplicates with _2, _3', () => {
    expect(uniqueName('id', new Set(['id', 'id_2']))).toBe('id_3');
    expect(uniqueName('sku', new Set(['id']))).toBe('sku');
  });
});

describe('record schemas from an OpenAPI document', () => {
  const doc = {
    paths: {
      '/api/v2/orders': {
        get: {
          responses: {
            '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderPage' } } } },
          },
        },
      },
    },
    components: {
      schemas: {
        OrderPage: {
          type: 'object',
          properties: {
            Data: { type: 'array', items: { $ref: '#/components/schemas/Order' } },
            Metadata: { type: 'object' },
          },
        },
        Base: {
          type: 'object',
          properties: { Id: { type: 'integer', format: 'int64' }, Created: { type: 'string', format: 'date-time' } },
        },
        Order: {
          description: 'An order.',
          allOf: [
            { $ref: '#/components/schemas/Base' },
            {
              type: 'object',
              properties: {
                Status: { type: 'integer', enum: [0, 1, 2], description: 'State.' },
                Total: { type: 'number', format: 'double' },
                Paid: { type: 'boolean', nullable: true },
                Day: { type: 'string', format: 'date' },
                Address: { oneOf: [{ $ref: '#/components/schemas/Address' }], nullable: true },
                Lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } },
                Tags: { type: 'array', items: { type: 'string' } },
                Extra: { type: 'object', additionalProperties: { type: 'string' } },
                Parent: { $ref: '#/components/schemas/Order' },
                Unknown: {},
              },
            },
          ],
        },
        Address: {
          type: 'object',
          properties: { City: { type: 'string' }, Geo: { type: 'object', properties: { Lat: { type: 'number' } } } },
        },
        Line: {
          type: 'object',
          properties: {
            Qty: { type: 'integer' },
            Options: { type: 'array', items: { $ref: '#/components/schemas/Address' } },
            Config: { $ref: '#/components/schemas/Address' },
          },
        },
      },
    },
  };

  it('follows $ref, allOf and oneOf and maps OpenAPI types to column types', () => {
    const schema = recordSchemaOf(doc, 'orders');
    expect(schema).toBeDefined();
    const shape = shapeFromSchema(schema!);
    expect(shape.description).toBe('An order.');
    const byKey = Object.fromEntries(shape.fields.map((f) => [f.key, f]));
    expect(Object.keys(byKey)).toEqual([
      'Id',
      'Created',
      'Status',
      'Total',
      'Paid',
      'Day',
      'Address',
      'Lines',
      'Tags',
      'Extra',
      'Parent',
    ]);
    expect(byKey.Id!.type).toBe('bigint');
    expect(byKey.Created!.type).toBe('timestamptz');
    expect(byKey.Status).toMatchObject({ type: 'bigint', description: 'State.' });
    expect(byKey.Total!.type).toBe('numeric');
    expect(byKey.Paid!.type).toBe('boolean');
    expect(byKey.Day!.type).toBe('date');
    expect(byKey.Address!.fields!.map((f) => `${f.key}:${f.type}`)).toEqual(['City:text', 'Geo:jsonb']);
    expect(byKey.Lines!.items!.map((f) => `${f.key}:${f.type}`)).toEqual([
      'Qty:bigint',
      'Options:jsonb',
      'Config:jsonb',
    ]);
    expect(byKey.Lines!.items!.find((f) => f.key === 'Config')!.fields!.map((f) => f.key)).toEqual(['City', 'Geo']);
    expect(byKey.Tags).toMatchObject({ type: 'jsonb' });
    expect(byKey.Tags!.items).toBeUndefined();
    expect(byKey.Extra).toMatchObject({ type: 'jsonb' });
    expect(recordSchemaOf(doc, 'invoices')).toBeUndefined();
  });
});
