import type { Orm } from './orm';

/** Runs raw SQL inside one transaction; `?` placeholders as in Connection.execute. */
export type Run = <T = Record<string, any>>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * One PostgreSQL transaction for raw SQL. `em.getConnection().execute()` alone runs outside
 * the transaction of `em.transactional()` unless it is handed the transaction context, which
 * this does for every statement.
 */
export async function inTransaction<T>(orm: Orm, fn: (run: Run) => Promise<T>): Promise<T> {
  return orm.em.fork().transactional(async (em) => {
    const ctx = em.getTransactionContext();
    const run: Run = async (sql, params = []) => (await em.getConnection().execute(sql, params as any[], 'all', ctx)) as any;
    return fn(run);
  });
}
