import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The outbox: one row per event, written in the transaction of the state
 * change it reports, and only when some endpoint of the job's owner listens.
 * No foreign key to the job: a deleted job's events are still delivered.
 */
@Entity('webhook_events')
@Index('ix_webhook_events_job_type_stage', ['jobId', 'type', 'stage', 'createdAt'])
export class WebhookEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Insertion order; with txId it orders a job's events (see docs/reliability.md). */
  @Column({ type: 'bigint', generated: 'increment' })
  seq: string;

  /** The inserting transaction (pg_current_xact_id, set by the outbox helper); sent only once it has ended. */
  @Column({ type: 'bigint', name: 'tx_id' })
  txId: string;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text', nullable: true })
  stage: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
