import type { Client } from 'pg';

/**
 * Integration files share one database, and some leave jobs queued (they run
 * no workers). A file that starts real workers would see them take that work;
 * cancelling it first gives the file a quiet pipeline to observe.
 */
export async function cancelLeftoverJobs(db: Client): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = 'cancelled', finished_at = now() WHERE status IN ('queued', 'running')`,
  );
  await db.query(
    `UPDATE job_stages SET status = 'cancelled' WHERE status IN ('pending', 'queued', 'running')`,
  );
  await db.query(`UPDATE clips SET status = 'cancelled' WHERE status IN ('queued', 'rendering')`);
}
