import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A receiver registered by one API key; it hears only about that key's jobs. */
@Entity('webhook_endpoints')
@Index('ix_webhook_endpoints_owner', ['ownerKeyId'])
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'owner_key_id' })
  ownerKeyId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  events: string[];

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /**
   * The signing key itself: an HMAC needs it, so it cannot be hashed like an
   * API key. The API shows it once, at creation, and never again.
   */
  @Column({ type: 'text' })
  secret: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
