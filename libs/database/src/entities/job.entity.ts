import type { JobOptions, JobStatus, MediaInfo } from '@clipline/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

@Entity('jobs')
@Index('ix_jobs_owner_created', ['ownerKeyId', 'createdAt'])
@Index('ix_jobs_status', ['status'])
@Index('ix_jobs_owner_sha256', ['ownerKeyId', 'contentSha256'])
export class JobEntity {
  /** Allocated before the upload starts, so the source key can name it. */
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'owner_key_id', nullable: true })
  ownerKeyId: string | null;

  @ManyToOne(() => ApiKeyEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_key_id' })
  owner?: ApiKeyEntity;

  @Column({ type: 'text' })
  status: JobStatus;

  @Column({ type: 'text', name: 'source_key' })
  sourceKey: string;

  @Column({ type: 'text', name: 'source_filename', nullable: true })
  sourceFilename: string | null;

  @Column({ type: 'bigint', name: 'source_size_bytes', nullable: true })
  sourceSizeBytes: string | null;

  /** sha256 of the source bytes (hex); reuse of an earlier analysis keys on it with the owner. */
  @Column({ type: 'text', name: 'content_sha256', nullable: true })
  contentSha256: string | null;

  /** The earlier job of the same owner and content whose analysis rows were copied at creation. */
  @Column({ type: 'uuid', name: 'reused_from_job_id', nullable: true })
  reusedFromJobId: string | null;

  /** When retention deleted the source object; re-runs that read the source are refused after. */
  @Column({ type: 'timestamptz', name: 'source_deleted_at', nullable: true })
  sourceDeletedAt: Date | null;

  /** When retention deleted the clip objects; their downloads answer 410 after. */
  @Column({ type: 'timestamptz', name: 'clips_deleted_at', nullable: true })
  clipsDeletedAt: Date | null;

  @Column({ type: 'jsonb', name: 'media_info' })
  mediaInfo: MediaInfo;

  @Column({ type: 'jsonb' })
  options: JobOptions;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Why a finished job has fewer clips than asked, or which fallback ran. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', name: 'finished_at', nullable: true })
  finishedAt: Date | null;
}
