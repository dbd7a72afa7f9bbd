import type { EndpointReport } from './describeEndpoint.js';

/** Everything `inspect` prints (and `--json` writes as is). Never holds a token. */
export interface Inspection {
  shop: string;
  openapi: {
    url: string;
    version?: string;
    endpoints?: number;
    skipped?: Array<{ path: string; reason: string }>;
    capped?: number;
    error?: string;
  };
  endpoints: EndpointReport[];
  /** ONECORE_CONFIG_FILE content for what inspect could not settle by itself; null when nothing. */
  configSnippet: { endpoints: Record<string, unknown> } | null;
}

/** The human-readable report: one block per endpoint, then skipped routes and the config snippet. */
export function renderInspection(i: Inspection): string {
  const out: string[] = [];
  const o = i.openapi;
  out.push(`shop     ${i.shop}`);
  out.push(
    `openapi  ${o.url}: ${o.error ? `not read (${o.error})` : `${o.version ?? 'document'}, ${o.endpoints} list endpoint(s), ${o.skipped?.length ?? 0} route(s) skipped${o.capped ? `, capped from ${o.capped}` : ''}`}`,
  );
  for (const r of i.endpoints) {
    out.push('', r.endpoint);
    const row = (label: string, value: string) => out.push(`  ${label.padEnd(17)}${value}`);
    row('status', r.status === null ? 'no response' : String(r.status));
    if (r.error) row('error', r.error);
    if (r.envelope) {
      const e = r.envelope;
      row('records', e.recordsPath === null ? 'the body is a bare JSON array' : `"${e.recordsPath}"`);
      row(
        'metadata',
        e.metaKey === null
          ? e.metaFields.length > 0
            ? `top level: ${e.metaFields.join(', ')}`
            : 'none'
          : `"${e.metaKey}": ${e.metaFields.join(', ')}`,
      );
      row(
        'next',
        e.nextField === null
          ? 'none on this page'
          : `${e.nextField === 'Link' ? 'Link header' : `"${e.nextField}"`} (${e.nextForm})`,
      );
    }
    if (r.recordsPerPage)
      row(
        'records per page',
        `${r.recordsPerPage[0]}${r.recordsPerPage[1] === null ? ' (one page)' : `, then ${r.recordsPerPage[1]}`}`,
      );
    if (r.key) row('key', 'field' in r.key ? `${r.key.field} (${r.key.type})` : `not found: ${r.key.error}`);
    if (r.order) row('order', r.order);
    if (r.dateTimes) {
      const z = r.dateTimes.byZone;
      const total = z.Z + z.offset + z.none;
      row(
        'date-times',
        total === 0
          ? 'none seen'
          : `${total} seen: Z ${z.Z}, with offset ${z.offset}, without offset ${z.none}; fraction digits ${r.dateTimes.fractionDigits.join('/')}${r.dateTimes.dotnetMinValue ? `; 0001-01-01 (.NET "not set") ${r.dateTimes.dotnetMinValue}` : ''}`,
      );
    }
    if (r.casing) row('field casing', r.casing);
    if (r.bytesPerRecord !== undefined) row('bytes per record', String(r.bytesPerRecord));
    for (const n of r.notes) row('note', n);
  }
  if (o.skipped && o.skipped.length > 0) {
    out.push('', 'skipped routes');
    for (const s of o.skipped) out.push(`  ${s.path}  ${s.reason}`);
  }
  out.push('');
  if (i.configSnippet) {
    out.push('ONECORE_CONFIG_FILE (what inspect could not settle by itself, or is safer stated):');
    out.push(JSON.stringify(i.configSnippet, null, 2));
  } else {
    out.push('ONECORE_CONFIG_FILE: nothing to add; the defaults read this shop.');
  }
  return out.join('\n') + '\n';
}
