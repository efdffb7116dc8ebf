import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './client.ts';

/**
 * New rows of one table, in the table's own (drizzle) shape, to be written by one statement. Every column given for
 * one row is written for all of them (where another row leaves it out, NULL); columns no row gives take their
 * defaults. So callers give complete rows.
 */
export interface TableRows {
  readonly table: PgTable;
  readonly rows: readonly Record<string, unknown>[];
}

export function tableRows<T extends PgTable>(table: T, ...rows: T['$inferInsert'][]): TableRows {
  return { table, rows };
}

/** A value as JSON for `jsonb_populate_recordset`: timestamps as ISO text, jsonb columns as the JSON itself. */
function jsonValue(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : (v ?? null);
}

/**
 * `insert into <table> (<columns>) select <columns> from jsonb_populate_recordset(null::<table>, $1) …`: the rows
 * travel as one JSON parameter and PostgreSQL reads them through the table's own row type, so the statement's text
 * depends only on the table and the columns given (one prepared plan whatever the number of rows), and a column
 * added to the table needs no change here. `from`/`where` add a from-item and a condition (e.g. a CTE that says
 * whether the rows may be written). Returns one row (`1`) per row written.
 */
export function insertRowsSql(t: TableRows, guard?: { from: SQL; where: SQL }): SQL {
  const columns = Object.entries(getTableColumns(t.table)).filter(([prop]) => t.rows.some((r) => r[prop] !== undefined));
  if (columns.length === 0) throw new Error(`insertRowsSql: no columns given for ${getTableName(t.table)}`);
  const json = JSON.stringify(t.rows.map((r) => Object.fromEntries(columns.map(([prop, col]) => [col.name, jsonValue(r[prop])]))));
  const list = sql.join(
    columns.map(([, col]) => sql.identifier(col.name)),
    sql`, `,
  );
  const picked = sql.join(
    columns.map(([, col]) => sql`x.${sql.identifier(col.name)}`),
    sql`, `,
  );
  const table = sql.identifier(getTableName(t.table));
  return sql`insert into ${table} (${list})
      select ${picked} from ${guard ? sql`${guard.from}, ` : sql``}jsonb_populate_recordset(null::${table}, ${json}::jsonb) x
      ${guard ? sql`where ${guard.where}` : sql``}
      returning 1`;
}

/** Writes each table's rows with one statement (inside the caller's transaction when they must commit together). */
export async function insertRows(executor: Executor, list: readonly TableRows[]): Promise<void> {
  for (const t of list) if (t.rows.length > 0) await executor.execute(insertRowsSql(t));
}
