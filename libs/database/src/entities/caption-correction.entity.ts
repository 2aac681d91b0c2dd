import type { CorrectionScope } from '@clipline/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { ClipEntity } from './clip.entity';
import { JobEntity } from './job.entity';

/**
 * A creator's fix of the words of one time range (source seconds). Rows are
 * never edited: a newer correction over the same range supersedes the older
 * one, which stays as history. They live apart from the transcript so a
 * re-run of transcription (which replaces the transcript row) keeps them.
 */
@Entity('caption_corrections')
@Index('ix_caption_corrections_job', ['jobId', 'active'])
export class CaptionCorrectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  /** `clip`: that clip's captions only; `transcript`: the transcript and every clip over the range. */
  @Column({ type: 'text' })
  scope: CorrectionScope;

  /** Set null when a re-run of segmenting replaces the clip; the fix then applies to any clip over its range. */
  @Column({ type: 'uuid', name: 'clip_id', nullable: true })
  clipId: string | null;

  @ManyToOne(() => ClipEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'clip_id' })
  clip?: ClipEntity;

  /** Per job, rising with every correction: the transcript's correction version. */
  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'double precision', name: 'start_sec' })
  start: number;

  @Column({ type: 'double precision', name: 'end_sec' })
  end: number;

  /** The replacement words; empty deletes the range's words (fillers). */
  @Column({ type: 'text' })
  text: string;

  /** The words of the range when the fix was made, to notice when a re-run changed them. */
  @Column({ type: 'text', name: 'original_text' })
  originalText: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'uuid', name: 'author_key_id', nullable: true })
  authorKeyId: string | null;

  @ManyToOne(() => ApiKeyEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'author_key_id' })
  author?: ApiKeyEntity;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
