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
