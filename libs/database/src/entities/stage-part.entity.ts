import type { ErrorKind } from '@clipline/contracts';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { JobEntity } from './job.entity';

export type StagePartStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/**
 * One time range of a stage split across workers (transcription, layout).
 * Parts belong to one attempt of their stage: a new attempt plans afresh.
 */
@Entity('stage_parts')
@Unique('uq_stage_parts_job_stage_index', ['jobId', 'stage', 'index'])
export class StagePartEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  @Column({ type: 'text' })
  stage: string;

  @Column({ type: 'int' })
  index: number;

  @Column({ type: 'int', name: 'stage_attempt' })
  stageAttempt: number;

  @Column({ type: 'double precision', name: 'start_sec' })
  start: number;

  @Column({ type: 'double precision', name: 'end_sec' })
  end: number;

  @Column({ type: 'text' })
  status: StagePartStatus;

  @Column({ type: 'int', default: 0 })
  attempt: number;

  /** 0..1 of this part, written with its heartbeat so the coordinator can report movement within parts. */
  @Column({ type: 'real', default: 0 })
  progress: number;

  @Column({ type: 'timestamptz', name: 'heartbeat_at', nullable: true })
  heartbeatAt: Date | null;

  @Column({ type: 'text', name: 'worker_host', nullable: true })
  workerHost: string | null;

  @Column({ type: 'jsonb', nullable: true })
  result: unknown;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /**
   * How the failure was classified where it arose (on whichever worker ran
   * the part), so the coordinator fails or retries the stage for that class.
   */
  @Column({ type: 'text', name: 'error_kind', nullable: true })
  errorKind: ErrorKind | null;
}
