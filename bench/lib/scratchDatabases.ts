import { createScratchDatabase, type ScratchDatabase } from '../../test/helpers/scratchDatabase.js';

export type Db = ScratchDatabase;

/**
 * A benchmark's scratch databases (one per measurement), remembered so that the ones still there
 * when the run ends or is interrupted are dropped too. With `keep`, pools are closed and the
 * databases left for a look afterwards.
 */
export function scratchDatabases(baseUrl: string, prefix: string, opts: { keep?: boolean } = {}) {
  const created: Db[] = [];
  const drop = async (db: Db): Promise<void> => {
    const i = created.indexOf(db);
    if (i >= 0) created.splice(i, 1);
    if (opts.keep) await db.pool.end().catch(() => undefined);
    else await db.drop();
  };
  return {
    async create(tag: string, migrate = true, poolSize = 3): Promise<Db> {
      const db = await createScratchDatabase(baseUrl, { prefix, tag, migrate, poolSize });
      created.push(db);
      return db;
    },
    drop,
    /** Every database not dropped yet; a failure is reported and the rest still dropped. */
    async dropAll(report: (line: string) => void): Promise<void> {
      for (const db of [...created])
        await drop(db).catch((err: Error) => report(`could not drop ${db.name}: ${err.message}`));
    },
  };
}

export type ScratchDatabases = ReturnType<typeof scratchDatabases>;
