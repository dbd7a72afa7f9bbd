/**
 * What the simulator's OpenAPI document says about each endpoint's fields, beyond the types it
 * infers from sample records: a description (what a Swashbuckle document carries from the .NET
 * XML comments). Keyed by endpoint, then by field path (`totals.net`, `lines.quantity` for list
 * elements), matched case-insensitively so that a dialect that names fields in PascalCase gets the
 * same documentation. Enum values come from the endpoint definitions (`enums`).
 */
export interface FieldDoc {
  description: string;
}

export interface EndpointDocs {
  description: string;
  fields: Record<string, FieldDoc>;
}

const common: Record<string, FieldDoc> = {
  id: { description: 'Unique key of the record.' },
  created: { description: 'When the record was created (date-time).' },
  modified: { description: 'When the record was last changed (date-time).' },
  currency: { description: 'ISO 4217 currency code.' },
  shopUserId: { description: 'Key of the shop user (customer account) it belongs to.' },
  'totals.net': { description: 'Net amount, before VAT.' },
  'totals.vat': { description: 'VAT amount.' },
  'totals.gross': { description: 'Gross amount, net plus VAT.' },
  'totals.vatRate': { description: 'VAT rate as a fraction (0.081 = 8.1 %).' },
  'lines.lineNo': { description: 'Line number, from 1.' },
  'lines.quantity': { description: 'Ordered quantity.' },
  'lines.unitPrice': { description: 'Price of one unit.' },
  'lines.amount': { description: 'Quantity times unit price.' },
};

export const FIELD_DOCS: Record<string, EndpointDocs> = {
  orders: {
    description: 'A customer order placed in the shop.',
    fields: {
      ...common,
      orderNumber: { description: 'Order number shown to the customer (year and sequence, not a date).' },
      status: { description: 'Processing state of the order.' },
      orderDate: { description: 'When the order was placed (date-time).' },
      deliveryDate: { description: 'Promised delivery day (date).' },
      pickupTime: { description: 'Pick-up time of day (HH:MM), when the customer collects.' },
      catalogVersion: { description: 'Catalog version the order was configured with.' },
      billingAddress: { description: 'Invoice address.' },
      shippingAddress: { description: 'Delivery address; null when picked up.' },
      lines: { description: 'Order lines.' },
      'lines.deliveredAt': { description: 'When the line was delivered; 0001-01-01 means not set.' },
      comment: { description: 'Free-text comment of the customer.' },
    },
  },
  quotations: {
    description: 'A quotation (offer) made to a customer.',
    fields: {
      ...common,
      quotationNumber: { description: 'Quotation number shown to the customer.' },
      status: { description: 'State of the quotation.' },
      validUntil: { description: 'Last day the offer is valid (date).' },
      lines: { description: 'Quotation lines with their product configuration.' },
      convertedOrderId: { description: 'Key of the order the quotation became, if any.' },
    },
  },
  products: {
    description: 'A product of the catalog.',
    fields: {
      ...common,
      sku: { description: 'Stock keeping unit.' },
      name: { description: 'Product name.' },
      active: { description: 'Whether the product can be ordered.' },
      weightKg: { description: 'Weight in kilograms.' },
      releasedOn: { description: 'Day the product was released (date).' },
    },
  },
  shopusers: {
    description: 'A customer account of the shop.',
    fields: {
      ...common,
      customerNumber: { description: 'Customer number in the ERP.' },
      email: { description: 'E-mail address (login).' },
      isActive: { description: 'Whether the account may log in.' },
      lastLogin: { description: 'Last login (date-time); 0001-01-01 means never.' },
      addresses: { description: 'Delivery addresses of the customer.' },
    },
  },
  ordershipments: {
    description: 'A shipment of (part of) an order.',
    fields: {
      ...common,
      orderId: { description: 'Key of the order shipped.' },
      carrier: { description: 'Carrier name.' },
      shippedAt: { description: 'When it left the warehouse (date-time).' },
      deliveredAt: { description: 'When it was delivered (date-time), null while under way.' },
      packages: { description: 'The packages of the shipment.' },
    },
  },
  invoices: {
    description: 'An invoice for an order.',
    fields: {
      ...common,
      invoiceNumber: { description: 'Invoice number.' },
      status: { description: 'Payment state of the invoice.' },
      issuedOn: { description: 'Invoice date (date).' },
      dueOn: { description: 'Payment due date (date).' },
      paidAt: { description: 'When it was paid (date-time); 0001-01-01 means not set.' },
    },
  },
  databaseusages: {
    description: 'Resource usage of the shop, one measurement per period.',
    fields: {
      ...common,
      id: { description: 'Number of the measurement.' },
      measuredAt: { description: 'When it was measured (date-time).' },
      databaseSizeMb: { description: 'Database size in MB.' },
      apiCalls: { description: 'API calls in the period.' },
    },
  },
  productimages: {
    description: 'An image of a product.',
    fields: {
      ...common,
      productId: { description: 'Key of the product shown.' },
      url: { description: 'Where the image is served.' },
      isMain: { description: "Whether it is the product's main image." },
      sortOrder: { description: "Place among the product's images." },
    },
  },
};
