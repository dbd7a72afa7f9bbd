/**
 * Record generators: one realistic, nested shape per list endpoint.
 *
 * Shapes are invented (no public source documents V2 bodies) but follow what public clients and
 * the webhook show: camelCase fields, string ids, `created`/`modified` date-times, nested addresses
 * and lines. The awkward cases a mirror must survive are built in on purpose: every .NET date-time
 * form (cycled per record and field so each form shows up within any 10 consecutive records),
 * DateTime.MinValue as "not set", date-only values, date look-alikes that are not dates, nulls,
 * unicode/quotes/newlines in text, numeric ids on one endpoint and PascalCase `Id` on another.
 */
import { DATETIME_FORMS, DOTNET_MIN_DATETIME, formatDate, formatDateTime } from './dates.js';
import type { Rng } from './random.js';

export interface RecordContext {
  rng: Rng;
  /** Sequence number of the record (its page position); ids derive from it. */
  seq: number;
  created: number;
  modified: number;
  /** How many records another endpoint starts with (for plausible cross references). */
  population(endpoint: string): number;
}

export interface EndpointDef {
  name: string;
  keyField: 'id' | 'Id';
  /** Always answers 403 (the API user lacks the permission). */
  forbidden: boolean;
  /** Field that update() bumps by default. */
  modifiedField: string;
  /** String enum fields and their values, in order: the pascal dialect serves their index. */
  enums?: Readonly<Record<string, readonly string[]>>;
  generate(ctx: RecordContext): Record<string, unknown>;
  /** Change one business field in place (default update patch). */
  touch(rec: Record<string, unknown>, ctx: RecordContext): void;
  /**
   * The OpenAPI component schema of one record, when the definition describes its model exactly;
   * without it the document infers one from sample records (see openapi.ts recordSchema).
   */
  schema?(): Record<string, unknown>;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Date-time text of `ms` in the form picked by record and field, so forms spread evenly. */
function dt(ctx: RecordContext, ms: number, field: number): string {
  const form = DATETIME_FORMS[(ctx.seq + field * 3) % DATETIME_FORMS.length] ?? 'z';
  return formatDateTime(ms, form, ctx.rng.int(0, 9999));
}

function ref(ctx: RecordContext, prefix: string, endpoint: string): string {
  return `${prefix}-${pad(ctx.rng.int(1, Math.max(1, ctx.population(endpoint))), 6)}`;
}

const STREETS = [
  'Bahnhofstrasse 12',
  'Hauptstrasse 5a',
  'Rue du Rhône 48',
  'Via Nassa 7',
  'Industriestrasse 101',
  'Mühlegasse 3',
  "Chemin de l'Église 9",
  '221B Baker Street',
];
const CITIES: ReadonlyArray<[string, string, string]> = [
  ['8001', 'Zürich', 'CH'],
  ['1204', 'Genève', 'CH'],
  ['6900', 'Lugano', 'CH'],
  ['80331', 'München', 'DE'],
  ['1010', 'Wien', 'AT'],
  ['75001', 'Paris', 'FR'],
  ['10001', 'New York', 'US'],
  ['3011', 'Bern', 'CH'],
];
const FIRST = ['Anna', 'Jürg', 'Léa', 'Marco', 'Zoë', 'Øystein', 'Mia', 'Noah', 'Çelik', 'Lukas'];
const LAST = ['Müller', 'Meier', 'Rossi', "O'Brien", 'Dubois', 'Schmid', 'Nguyễn', 'Keller', 'Brunner', 'Weber'];
const COMPANIES = ['Holzbau AG', 'Fenster & Türen GmbH', 'Küchenwerk SA', null, 'Metallbau "Alpin" AG', 'Möbel Meier'];
const COMMENTS: ReadonlyArray<string | null> = [
  null,
  '',
  'Bitte vor 12:30 liefern',
  'Kunde sagt "dringend"',
  'Zeile 1\nZeile 2',
  'Lieferung ✓ 🚚',
  'Pfad C:\\Export\\2024',
  'Rückruf <b>nötig</b> & bestätigen',
];
const CURRENCIES = ['CHF', 'EUR', 'USD'];
const PRODUCT_WORDS = ['Fenster', 'Tür', 'Küchenfront', 'Schrank', 'Treppe', 'Tisch', 'Regal', 'Jalousie'];
const MATERIALS = ['Eiche', 'Fichte', 'Aluminium', 'PVC', 'Glas', 'Stahl'];
const COLORS = ['weiss', 'anthrazit', 'RAL 9016', 'natur', 'schwarz matt'];

function address(ctx: RecordContext) {
  const [zip, city, country] = ctx.rng.pick(CITIES);
  return { street: ctx.rng.pick(STREETS), zip, city, country };
}

/** Money in cents to avoid float drift, then back to a 2-decimal number. */
function totalsOf(netCents: number, rng: Rng) {
  const rate = rng.pick([0.081, 0.19, 0.2, 0]);
  const vatCents = Math.round(netCents * rate);
  return { net: netCents / 100, vat: vatCents / 100, gross: (netCents + vatCents) / 100, vatRate: rate };
}

function lines(ctx: RecordContext, withDelivery: boolean) {
  const n = ctx.rng.int(1, 4);
  const out: Record<string, unknown>[] = [];
  let netCents = 0;
  for (let i = 1; i <= n; i++) {
    const quantity = ctx.rng.int(1, 12);
    const unitCents = ctx.rng.int(990, 250000);
    const amountCents = quantity * unitCents;
    netCents += amountCents;
    const productId = ref(ctx, 'prd', 'products');
    const line: Record<string, unknown> = {
      lineNo: i,
      productId,
      sku: `SKU-${productId.slice(4)}`,
      description: `${ctx.rng.pick(PRODUCT_WORDS)} ${ctx.rng.pick(MATERIALS)}`,
      quantity,
      unitPrice: unitCents / 100,
      amount: amountCents / 100,
      options: ctx.rng.chance(0.5)
        ? [
            { name: 'Farbe', value: ctx.rng.pick(COLORS) },
            { name: 'Breite', value: `${ctx.rng.int(40, 240)} cm` },
          ]
        : [],
    };
    if (withDelivery) {
      const r = ctx.rng.next();
      // Delivered (a real instant), not yet (null), or .NET's "not set" DateTime.MinValue.
      line.deliveredAt =
        r < 0.5 ? dt(ctx, ctx.created + ctx.rng.int(1, 30) * 86_400_000, 4 + i) : r < 0.75 ? null : DOTNET_MIN_DATETIME;
    }
    out.push(line);
  }
  return { lines: out, netCents };
}

/** "2024-0001": year-ordinal, looks like a date but is not one. */
function yearNumber(ctx: RecordContext, prefix = ''): string {
  return `${prefix}${new Date(ctx.created).getUTCFullYear()}-${pad(ctx.seq % 10000, 4)}`;
}

/** "12:30": a time of day, not a date-time. */
function clockTime(rng: Rng): string {
  return `${pad(rng.int(7, 17), 2)}:${rng.pick(['00', '15', '30', '45'])}`;
}

/** "v2024-03-01": a version label that contains a date. */
function versionTag(ctx: RecordContext): string {
  return `v${formatDate(ctx.created - (ctx.created % (7 * 86_400_000)))}`;
}

function cycle(values: readonly string[], current: unknown): string {
  const i = values.indexOf(String(current));
  return values[(i + 1) % values.length] ?? String(current);
}

const ORDER_STATUS = ['New', 'Confirmed', 'InProduction', 'Shipped', 'Delivered', 'Cancelled'];
const QUOTE_STATUS = ['Draft', 'Sent', 'Accepted', 'Rejected', 'Expired'];
const INVOICE_STATUS = ['Open', 'Paid', 'Overdue', 'Cancelled'];

const orders: EndpointDef = {
  name: 'orders',
  keyField: 'id',
  forbidden: false,
  modifiedField: 'modified',
  enums: { status: ORDER_STATUS },
  generate(ctx) {
    const { rng } = ctx;
    const { lines: ls, netCents } = lines(ctx, true);
    const billing = address(ctx);
    return {
      id: `ord-${pad(ctx.seq, 6)}`,
      orderNumber: yearNumber(ctx),
      status: rng.pick(ORDER_STATUS),
      shopUserId: ref(ctx, 'usr', 'shopusers'),
      orderDate: dt(ctx, ctx.created, 2),
      created: dt(ctx, ctx.created, 0),
      modified: dt(ctx, ctx.modified, 1),
      deliveryDate: formatDate(ctx.created + rng.int(3, 60) * 86_400_000),
      pickupTime: rng.chance(0.3) ? clockTime(rng) : null,
      catalogVersion: versionTag(ctx),
      currency: rng.pick(CURRENCIES),
      totals: totalsOf(netCents, rng),
      billingAddress: billing,
      shippingAddress: rng.chance(0.2) ? null : rng.chance(0.5) ? billing : address(ctx),
      lines: ls,
      comment: rng.pick(COMMENTS),
    };
  },
  touch(rec) {
    rec.status = cycle(ORDER_STATUS, rec.status);
  },
};

const quotations: EndpointDef = {
  name: 'quotations',
  keyField: 'id',
  forbidden: false,
  modifiedField: 'modified',
  enums: { status: QUOTE_STATUS },
  generate(ctx) {
    const { rng } = ctx;
    const { lines: ls, netCents } = lines(ctx, false);
    for (const l of ls) {
      l.configuration = {
        widthMm: rng.int(400, 2400),
        heightMm: rng.int(400, 2400),
        material: rng.pick(MATERIALS),
        color: rng.pick(COLORS),
        glazing: rng.chance(0.5) ? 'triple' : null,
      };
    }
    return {
      id: `quo-${pad(ctx.seq, 6)}`,
      quotationNumber: yearNumber(ctx, 'Q'),
      status: rng.pick(QUOTE_STATUS),
      shopUserId: ref(ctx, 'usr', 'shopusers'),
      created: dt(ctx, ctx.created, 0),
      modified: dt(ctx, ctx.modified, 1),
      validUntil: formatDate(ctx.created + 30 * 86_400_000),
      currency: rng.pick(CURRENCIES),
      totals: totalsOf(netCents, rng),
      lines: ls,
      convertedOrderId: rng.chance(0.3) ? ref(ctx, 'ord', 'orders') : null,
      note: rng.pick(COMMENTS),
    };
  },
  touch(rec) {
    rec.status = cycle(QUOTE_STATUS, rec.status);
  },
};

const products: EndpointDef = {
  name: 'products',
  keyField: 'id',
  forbidden: false,
  modifiedField: 'modified',
  generate(ctx) {
    const { rng } = ctx;
    const word = rng.pick(PRODUCT_WORDS);
    const material = rng.pick(MATERIALS);
    return {
      id: `prd-${pad(ctx.seq, 6)}`,
      sku: `SKU-${pad(ctx.seq, 6)}`,
      name: `${word} ${material}`,
      description: rng.chance(0.2)
        ? null
        : `${word} aus ${material}, Farbe ${rng.pick(COLORS)}.\nMasse nach Konfiguration.`,
      active: rng.chance(0.85),
      configurable: rng.chance(0.4),
      price: { amount: rng.int(990, 990000) / 100, currency: rng.pick(CURRENCIES) },
      weightKg: rng.decimal(0.2, 180, 3),
      dimensions: { widthMm: rng.int(100, 3000), heightMm: rng.int(100, 3000), depthMm: rng.int(10, 900) },
      categories: [word, material].concat(rng.chance(0.3) ? ['Aktion'] : []),
      attributes: [
        { name: 'Material', value: material },
        { name: 'Farbe', value: rng.pick(COLORS) },
      ],
      stock: { quantity: rng.int(0, 500), warehouse: rng.pick(['ZH-1', 'BE-2', 'MUC']) },
      releasedOn: formatDate(ctx.created),
      catalogVersion: versionTag(ctx),
      created: dt(ctx, ctx.created, 0),
      modified: dt(ctx, ctx.modified, 1),
    };
  },
  touch(rec) {
    const price = rec.price as { amount: number } | undefined;
    if (price && typeof price.amount === 'number') price.amount = Math.round(price.amount * 105) / 100;
  },
};

const shopusers: EndpointDef = {
  name: 'shopusers',
  keyField: 'id',
  forbidden: false,
  modifiedField: 'modified',
  generate(ctx) {
    const { rng } = ctx;
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    return {
      id: `usr-${pad(ctx.seq, 6)}`,
      customerNumber: `K${pad(10000 + ctx.seq, 6)}`,
      email: `${first}.${last}${ctx.seq}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
      firstName: first,
      lastName: last,
      company: rng.pick(COMPANIES),
      phone: rng.chance(0.3)
        ? null
        : `+41 ${rng.int(21, 79)} ${rng.int(100, 999)} ${pad(rng.int(0, 99), 2)} ${pad(rng.int(0, 99), 2)}`,
      language: rng.pick(['de-CH', 'fr-CH', 'it-CH', 'en-US']),
      isActive: rng.chance(0.9),
      addresses: rng.chance(0.2) ? [] : [address(ctx), ...(rng.chance(0.3) ? [address(ctx)] : [])],
      // Never logged in is DateTime.MinValue, not null, as .NET non-nullable DateTimes serialize.
      lastLogin: rng.chance(0.25) ? DOTNET_MIN_DATETIME : dt(ctx, ctx.modified, 2),
      created: dt(ctx, ctx.created, 0),
      modified: dt(ctx, ctx.modified, 1),
    };
  },
  touch(rec, ctx) {
    rec.phone = `+41 44 ${ctx.rng.int(100, 999)} ${pad(ctx.rng.int(0, 99), 2)} ${pad(ctx.rng.int(0, 99), 2)}`;
  },
};

const ordershipments: EndpointDef = {
  name: 'ordershipments',
  keyField: 'id',
  forbidden: false,
  modifiedField: 'modified',
  generate(ctx) {
    const { rng } = ctx;
    const shipped = ctx.created + rng.int(1, 10) * 3_600_000;
    const n = rng.int(1, 3);
    const packages = [];
    for (let i = 1; i <= n; i++)
      packages.push({
        packageNo: i,
        weightKg: rng.decimal(0.5, 90, 2),
        dimensions: { lengthMm: rng.int(200, 2500), widthMm: rng.int(100, 1200), heightMm: rng.int(50, 900) },
      });
    return {
      id: `shp-${pad(ctx.seq, 6)}`,
      orderId: ref(ctx, 'ord', 'orders'),
      carrier: rng.pick(['Post CH', 'DHL', 'Planzer', 'Own truck']),
      trackingNumber: rng.chance(0.15)
        ? null
        : `99.${pad(rng.int(0, 99), 2)}.${pad(rng.int(0, 999999), 6)}.${pad(rng.int(0, 99999999), 8)}`,
      shippedAt: dt(ctx, shipped, 2),
      estimatedDelivery: formatDate(shipped + rng.int(1, 5) * 86_400_000),
      deliveredAt: rng.chance(0.4) ? null : dt(ctx, shipped + rng.int(1, 96) * 3_600_000, 3),
      pickupWindow: { from: clockTime(rng), to: clockTime(rng) },
      packages,
      created: dt(ctx, ctx.created, 0),
      modified: dt(ctx, ctx.modified, 1),
    };
  },
  touch(rec) {
    rec.carrier = cycle(['Post CH', 'DHL', 'Planzer', 'Own truck'], rec.carrier);
  },
};

const invoices: EndpointDef = {
  name: 'invoices',
  keyField: 'id',
  forbidden: false,
  modifiedField: 'modified',
  enums: { status: INVOICE_STATUS },
  generate(ctx) {
    const { rng } = ctx;
    const { lines: ls, netCents } = lines(ctx, false);
    const status = rng.pick(INVOICE_STATUS);
    return {
      id: `inv-${pad(ctx.seq, 6)}`,
      invoiceNumber: yearNumber(ctx),
      orderId: ref(ctx, 'ord', 'orders'),
      shopUserId: ref(ctx, 'usr', 'shopusers'),
      status,
      issuedOn: formatDate(ctx.created),
      dueOn: formatDate(ctx.created + 30 * 86_400_000),
      paidAt: status === 'Paid' ? dt(ctx, ctx.modified, 2) : rng.chance(0.5) ? null : DOTNET_MIN_DATETIME,
      currency: rng.pick(CURRENCIES),
      totals: totalsOf(netCents, rng),
      lines: ls.map((l) => ({
        lineNo: l.lineNo,
        description: l.description,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        amount: l.amount,
      })),
      created: dt(ctx, ctx.created, 0),
      modified: dt(ctx, ctx.modified, 1),
    };
  },
  touch(rec) {
    rec.status = cycle(INVOICE_STATUS, rec.status);
  },
};

/** Numeric ids here: the real id type is unknown, so one endpoint exercises number keys. */
const databaseusages: EndpointDef = {
  name: 'databaseusages',
  keyField: 'id',
  forbidden: false,
  modifiedField: 'modified',
  generate(ctx) {
    const { rng } = ctx;
    return {
      id: ctx.seq,
      shopId: 'shop-01',
      periodStart: formatDate(ctx.created),
      measuredAt: dt(ctx, ctx.created + 3_600_000, 2),
      databaseSizeMb: rng.decimal(100, 50000, 1),
      fileStorageMb: rng.decimal(10, 200000, 1),
      apiCalls: rng.int(0, 2_000_000),
      largeCounter: 9_007_199_254_740_991 - rng.int(0, 1000), // near Number.MAX_SAFE_INTEGER: bigint columns
      recordCounts: { orders: rng.int(0, 1e6), products: rng.int(0, 1e5), shopUsers: rng.int(0, 1e5) },
      created: dt(ctx, ctx.created, 0),
      modified: dt(ctx, ctx.modified, 1),
    };
  },
  touch(rec) {
    rec.apiCalls = (typeof rec.apiCalls === 'number' ? rec.apiCalls : 0) + 1;
  },
};

/** PascalCase model (key `Id`), like the older .NET models and the order webhook. */
const productimages: EndpointDef = {
  name: 'productimages',
  keyField: 'Id',
  forbidden: false,
  modifiedField: 'Modified',
  generate(ctx) {
    const { rng } = ctx;
    const productId = ref(ctx, 'prd', 'products');
    const w = rng.pick([640, 800, 1024, 1920, 4000]);
    return {
      Id: `img-${pad(ctx.seq, 6)}`,
      ProductId: productId,
      Url: `https://cdn.example.invalid/images/${productId}/${ctx.seq}.jpg?v=${rng.int(1, 9)}&size=large`,
      FileName: `${productId}_${ctx.seq} (${rng.pick(['front', 'side', 'détail'])}).jpg`,
      Width: w,
      Height: Math.round((w * rng.pick([3, 9, 10])) / 16),
      SortOrder: rng.int(0, 9),
      IsMain: rng.chance(0.3),
      AltText: rng.chance(0.3) ? null : `${rng.pick(PRODUCT_WORDS)} – Ansicht`,
      Created: dt(ctx, ctx.created, 0),
      Modified: dt(ctx, ctx.modified, 1),
    };
  },
  touch(rec) {
    rec.SortOrder = (typeof rec.SortOrder === 'number' ? rec.SortOrder : 0) + 1;
  },
};

/** Listed (so discovery finds it) but the API user lacks permission: always 403. */
const apiusers: EndpointDef = {
  name: 'apiusers',
  keyField: 'id',
  forbidden: true,
  modifiedField: 'modified',
  generate(ctx) {
    return { id: `api-${pad(ctx.seq, 6)}` };
  },
  touch() {},
};

export const ENDPOINT_DEFS: readonly EndpointDef[] = [
  orders,
  quotations,
  products,
  shopusers,
  ordershipments,
  invoices,
  databaseusages,
  productimages,
  apiusers,
];
