import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import type { WebhookDeliveryStatus } from '@clipline/contracts';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookEventEntity } from './webhook-event.entity';

/** One event for one endpoint: its attempts, its last answer and when it is tried next. */
@Entity('webhook_deliveries')
@Unique('uq_webhook_deliveries_endpoint_event', ['endpointId', 'eventId'])
@Index('ix_webhook_deliveries_due', ['status', 'nextAttemptAt'])
@Index('ix_webhook_deliveries_order', ['endpointId', 'jobId', 'txId', 'seq'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'endpoint_id' })
  endpointId: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: WebhookEndpointEntity;

  @Column({ type: 'uuid', name: 'event_id' })
  eventId: string;

  @ManyToOne(() => WebhookEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: WebhookEventEntity;

  /** Copied from the event so the per-job order check needs no join. */
  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @Column({ type: 'bigint' })
  seq: string;

  @Column({ type: 'bigint', name: 'tx_id' })
  txId: string;

  @Column({ type: 'text', default: 'pending' })
  status: WebhookDeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', name: 'next_attempt_at', default: () => 'now()' })
  nextAttemptAt: Date;

  /** Fencing: a send settles only if its claim is still the current one. */
  @Column({ type: 'uuid', name: 'claim_id', nullable: true })
  claimId: string | null;

  @Column({ type: 'timestamptz', name: 'claimed_until', nullable: true })
  claimedUntil: Date | null;

  /** The body as first sent, so every retry and redelivery carries the same bytes. */
  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ type: 'int', name: 'last_status_code', nullable: true })
  lastStatusCode: number | null;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError: string | null;

  /** At most 1 kB of the receiver's last answer. */
  @Column({ type: 'text', name: 'last_response', nullable: true })
  lastResponse: string | null;

  @Column({ type: 'timestamptz', name: 'last_attempt_at', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ type: 'timestamptz', name: 'delivered_at', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
