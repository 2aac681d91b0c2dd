import type { StageName, StageStatus } from '@clipline/contracts';
import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { JobEntity } from './job.entity';

@Entity('job_stages')
@Unique('uq_job_stages_job_stage', ['jobId', 'stage'])
@Index('ix_job_stages_status', ['status'])
export class JobStageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  @Column({ type: 'text' })
  stage: StageName;

  @Column({ type: 'text' })
  status: StageStatus;

  /** Bumped each time a worker claims the stage; writes from an older attempt are refused. */
  @Column({ type: 'int', default: 0 })
  attempt: number;

  @Column({ type: 'real', default: 0 })
  progress: number;

  @Column({ type: 'int', name: 'eta_seconds', nullable: true })
  etaSeconds: number | null;

  @Column({ type: 'timestamptz', name: 'heartbeat_at', nullable: true })
  heartbeatAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Stage-specific summary (e.g. speech ratio, clip counts, skip reason). */
  @Column({ type: 'jsonb', nullable: true })
  summary: Record<string, unknown> | null;

  @Column({ type: 'text', name: 'worker_host', nullable: true })
  workerHost: string | null;

  @Column({ type: 'timestamptz', name: 'queued_at', nullable: true })
  queuedAt: Date | null;

  @Column({ type: 'timestamptz', name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  /** Not before this time (backoff after a transient failure). */
  @Column({ type: 'timestamptz', name: 'retry_at', nullable: true })
  retryAt: Date | null;
}
