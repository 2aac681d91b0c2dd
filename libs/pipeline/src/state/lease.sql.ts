/**
 * The lease SQL that stage rows, clips and parts share. A row is held while
 * its status is the running one and its heartbeat is fresh; once the
 * heartbeat is older than the stall threshold its worker is presumed dead,
 * and the row may be taken back and claimed again.
 */

/** What "running" is called in each table: stages and parts run, clips render. */
export type LeaseRunningStatus = 'running' | 'rendering';

/**
 * The row's worker stopped heartbeating. `alias` qualifies the columns (empty
 * for none); `stallSeconds` is the SQL of the threshold (`$2`, `:stall`).
 */
export function stalledSql(
  alias: string,
  running: LeaseRunningStatus,
  stallSeconds: string,
): string {
  const c = alias ? `${alias}.` : '';
  return `${c}status = '${running}' AND ${c}heartbeat_at < now() - make_interval(secs => ${stallSeconds})`;
}

/** The row may be claimed: it waits in the queue, or its worker stalled. */
export function claimableSql(
  alias: string,
  running: LeaseRunningStatus,
  stallSeconds: string,
): string {
  const c = alias ? `${alias}.` : '';
  return `(${c}status = 'queued' OR (${stalledSql(alias, running, stallSeconds)}))`;
}

/** pg gives `[rows, count]` for an UPDATE … RETURNING through TypeORM's query(), rows alone for a SELECT. */
export function returnedRows<T>(res: unknown): T[] {
  if (!Array.isArray(res)) return [];
  return (Array.isArray(res[0]) ? res[0] : res) as T[];
}

/** How many rows an UPDATE through TypeORM's query() changed (pg returns `[rows, count]`). */
export function affected(res: unknown): number {
  if (Array.isArray(res) && typeof res[1] === 'number') return res[1];
  return Array.isArray(res) ? res.length : 0;
}
