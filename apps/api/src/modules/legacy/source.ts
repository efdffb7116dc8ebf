import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { deserialize } from 'bson';

/** A document as BSON or the driver gives it. */
export type LegacyDoc = Record<string, unknown>;

/**
 * Where the original's documents come from. The dump reader and the live reader differ only here: everything
 * after (transform, import, verify) is the same code.
 */
export interface LegacySource {
  /** For the report: the folder or the database name (never the URL: it may carry a password). */
  readonly describe: string;
  /** Documents of one collection in natural order; nothing when the collection does not exist. */
  read(collection: string): AsyncIterable<LegacyDoc>;
  close(): Promise<void>;
}

// BSON documents start with their int32 length; mongodump writes them back to back.
const MAX_DOC_BYTES = 16 * 1024 * 1024 + 16 * 1024;

/**
 * Reads `mongodump` output: `<dir>/<collection>.bson` (or `.bson.gz` from `--gzip`), or `<dir>/<db>/<collection>.bson`
 * when the folder holds exactly one database folder. Streams: memory stays at one document plus a read buffer.
 */
export function openDump(dir: string): LegacySource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`dump folder not found: ${dir}`);
  const hasBson = (d: string) => readdirSync(d).some((f) => /\.bson(\.gz)?$/.test(f));
  let root = dir;
  if (!hasBson(dir)) {
    const dbs = readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory() && hasBson(join(dir, f)));
    if (dbs.length !== 1) {
      throw new Error(
        dbs.length === 0
          ? `no .bson files in ${dir} (expected mongodump output: <db>/<collection>.bson)`
          : `${dir} holds several databases (${dbs.join(', ')}); pass the one to import, e.g. --dump ${join(dir, dbs[0]!)}`,
      );
    }
    root = join(dir, dbs[0]!);
  }
  return {
    describe: `dump ${root}`,
    read(collection) {
      const plain = join(root, `${collection}.bson`);
      const gz = `${plain}.gz`;
      if (existsSync(plain)) return readBsonStream(createReadStream(plain), plain);
      if (existsSync(gz)) return readBsonStream(createReadStream(gz).pipe(createGunzip()), gz);
      return (async function* () {})();
    },
    async close() {},
  };
}

async function* readBsonStream(stream: AsyncIterable<Buffer | string>, file: string): AsyncGenerator<LegacyDoc> {
  let buf = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of stream) {
    buf = Buffer.concat([buf, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    for (;;) {
      if (buf.length < 4) break;
      const size = buf.readInt32LE(0);
      if (size < 5 || size > MAX_DOC_BYTES) throw new Error(`${file}: corrupt BSON at byte ${offset} (document length ${size})`);
      if (buf.length < size) break;
      yield deserialize(buf.subarray(0, size), { promoteValues: true, promoteLongs: true, promoteBuffers: true }) as LegacyDoc;
      buf = buf.subarray(size);
      offset += size;
    }
  }
  if (buf.length > 0) throw new Error(`${file}: truncated BSON at byte ${offset} (${buf.length} trailing bytes)`);
}

/**
 * A live database through the official driver, read-only: only find() cursors, with secondaryPreferred reads so a
 * replica set's primary is spared. The URL's credentials should be a read-only user (docs/legacy-import.md).
 */
export async function openMongo(url: string, dbName?: string): Promise<LegacySource> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(url, { readPreference: 'secondaryPreferred', serverSelectionTimeoutMS: 15_000, appName: 'cryptovault-import-legacy' });
  await client.connect();
  const db = client.db(dbName);
  return {
    describe: `mongodb database ${db.databaseName}`,
    read(collection) {
      // promoteValues keeps doubles as JS numbers, exactly as the BSON reader gives them.
      return db.collection(collection).find({}, { sort: { _id: 1 }, promoteLongs: true, promoteValues: true });
    },
    close: () => client.close(),
  };
}
