import type { JobOptions } from '@clipline/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

/** failed: the assembled file broke the declared size or the limit; nothing was kept. */
export type UploadStatus = 'open' | 'completed' | 'aborted' | 'failed';

@Entity('uploads')
@Index('ix_uploads_status_updated', ['status', 'updatedAt'])
export class UploadEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'owner_key_id', nullable: true })
  ownerKeyId: string | null;

  @ManyToOne(() => ApiKeyEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_key_id' })
  owner?: ApiKeyEntity;

  /** The job this upload becomes on completion; its id names the S3 key. */
  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @Column({ type: 'text', name: 's3_upload_id' })
  s3UploadId: string;

  @Column({ type: 'text', name: 'object_key' })
  objectKey: string;

  @Column({ type: 'text' })
  filename: string;

  @Column({ type: 'text', name: 'content_type' })
  contentType: string;

  @Column({ type: 'bigint', name: 'size_bytes' })
  sizeBytes: string;

  @Column({ type: 'int', name: 'part_size' })
  partSize: number;

  @Column({ type: 'text' })
  status: UploadStatus;

  /**
   * Parts the client reported after each presigned PUT, keyed by part number.
   * S3 ListParts is the better source where the server has it (s3rver does not).
   */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  parts: Record<string, { etag: string; size: number }>;

  /** sha256 of the assembled object (hex), read back after completion. */
  @Column({ type: 'text', name: 'content_sha256', nullable: true })
  contentSha256: string | null;

  @Column({ type: 'jsonb', nullable: true })
  options: Partial<JobOptions> | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
