/**
 * `COPY … FROM STDIN` with node-postgres alone (no pg-copy-streams): a Query whose copy-in
 * handler streams the given chunks, honouring the socket's back-pressure.
 */
import pg from 'pg';

type Connection = {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
};

export async function copyIn(client: pg.Client | pg.PoolClient, sql: string, chunks: Buffer[]): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const QueryClass = pg.Query as unknown as new (
      text: string,
      values: undefined,
      cb: (err: Error | null, res?: pg.QueryResult) => void,
    ) => object;
    class CopyQuery extends QueryClass {
      handleCopyInResponse(connection: Connection): void {
        let i = 0;
        const pump = () => {
          while (i < chunks.length) {
            connection.sendCopyFromChunk(chunks[i++]!);
            if (connection.stream.writableNeedDrain) {
              connection.stream.once('drain', pump);
              return;
            }
          }
          connection.endCopyFrom();
        };
        pump();
      }
    }
    const q = new CopyQuery(sql, undefined, (err, res) => (err ? reject(err) : resolve(res?.rowCount ?? 0)));
    (client as unknown as { query(q: object): void }).query(q);
  });
}

/** One row of COPY text format: backslash, tab, newline and carriage return escaped. */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
