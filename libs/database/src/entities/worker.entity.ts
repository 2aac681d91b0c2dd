import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One worker process, registered at start and kept fresh by its own
 * heartbeat, so operators can see which host runs what. Rows of stopped or
 * vanished processes stay a while: when a stage was last served is what
 * tells a brief restart from a stage nobody serves.
 */
@Entity('workers')
@Index('ix_workers_stage_heartbeat', ['stage', 'heartbeatAt'])
export class WorkerEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  host: string;

  @Column({ type: 'int' })
  pid: number;

  /** The app name, e.g. "layout-worker". */
  @Column({ type: 'text' })
  app: string;

  @Column({ type: 'text' })
  stage: string;

  @Column({ type: 'text' })
  version: string;

  /** What the process is working on right now, one label per unit of work. */
  @Column({ type: 'jsonb', name: 'current_work', default: () => "'[]'" })
  currentWork: string[];

  /** Why the process runs with less than its full ability (e.g. a missing model); null when it does not. */
  @Column({ type: 'text', nullable: true })
  degraded: string | null;

  @Column({ type: 'timestamptz', name: 'started_at' })
  startedAt: Date;

  @Column({ type: 'timestamptz', name: 'heartbeat_at' })
  heartbeatAt: Date;

  @Column({ type: 'timestamptz', name: 'stopped_at', nullable: true })
  stoppedAt: Date | null;
}
