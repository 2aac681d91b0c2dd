import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { JobEntity } from './job.entity';

export type LogEvent = 'start' | 'finish' | 'fail' | 'retry' | 'command' | 'note' | 'skip';

@Entity('processing_logs')
@Index('ix_processing_logs_job_created', ['jobId', 'createdAt'])
export class ProcessingLogEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  @Column({ type: 'text' })
  stage: string;

  @Column({ type: 'int' })
  attempt: number;

  @Column({ type: 'text' })
  event: LogEvent;

  @Column({ type: 'text' })
  message: string;

  /** External command line (ffmpeg, pocketsphinx), with signatures redacted. */
  @Column({ type: 'text', nullable: true })
  command: string | null;

  /** The tail of a failure's stack (redacted), for whoever debugs the worker. */
  @Column({ type: 'text', nullable: true })
  details: string | null;

  @Column({ type: 'int', name: 'duration_ms', nullable: true })
  durationMs: number | null;

  @Column({ type: 'text', name: 'worker_host' })
  workerHost: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
