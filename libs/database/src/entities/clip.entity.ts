import type { Aspect, CaptionEngineInfo, ClipLayoutChoice, ClipLook } from '@clipline/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { ContentSegmentEntity } from './content-segment.entity';
import { JobEntity } from './job.entity';

export type ClipStatus = 'queued' | 'rendering' | 'completed' | 'failed' | 'cancelled';

@Entity('clips')
@Unique('uq_clips_job_segment_aspect', ['jobId', 'segmentId', 'aspect'])
@Index('ix_clips_status', ['status'])
export class ClipEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  @Column({ type: 'uuid', name: 'segment_id' })
  segmentId: string;

  @ManyToOne(() => ContentSegmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'segment_id' })
  segment?: ContentSegmentEntity;

  @Column({ type: 'text' })
  aspect: Aspect;

  @Column({ type: 'text' })
  status: ClipStatus;

  @Column({ type: 'int', default: 0 })
  attempt: number;

  /** 0..1 of the running render, so the rendering aggregate moves between clips. */
  @Column({ type: 'real', default: 0 })
  progress: number;

  @Column({ type: 'timestamptz', name: 'heartbeat_at', nullable: true })
  heartbeatAt: Date | null;

  @Column({ type: 'timestamptz', name: 'retry_at', nullable: true })
  retryAt: Date | null;

  @Column({ type: 'text', name: 'video_key', nullable: true })
  videoKey: string | null;

  @Column({ type: 'text', name: 'thumbnail_key', nullable: true })
  thumbnailKey: string | null;

  @Column({ type: 'text', name: 'vtt_key', nullable: true })
  vttKey: string | null;

  @Column({ type: 'text', name: 'srt_key', nullable: true })
  srtKey: string | null;

  @Column({ type: 'real', name: 'duration_sec', nullable: true })
  durationSec: number | null;

  @Column({ type: 'int', nullable: true })
  width: number | null;

  @Column({ type: 'int', nullable: true })
  height: number | null;

  @Column({ type: 'bigint', name: 'size_bytes', nullable: true })
  sizeBytes: string | null;

  @Column({ type: 'int', name: 'render_ms', nullable: true })
  renderMs: number | null;

  /** The recogniser whose words this clip's captions and sidecars show. */
  @Column({ type: 'jsonb', name: 'caption_engine', nullable: true })
  captionEngine: CaptionEngineInfo | null;

  /** The creator's own look for this clip; null fields fall back to the job's options.look. */
  @Column({ type: 'jsonb', nullable: true })
  look: ClipLook | null;

  /** The layout the renderer used and why (an `auto` look records its choice here). */
  @Column({ type: 'jsonb', name: 'layout_choice', nullable: true })
  layoutChoice: ClipLayoutChoice | null;

  /**
   * The clip's own edges (source seconds) after a trim; null: the segment's.
   * Aspects of one segment share the segment but may be trimmed apart.
   */
  @Column({ type: 'double precision', name: 'start_sec', nullable: true })
  startSec: number | null;

  @Column({ type: 'double precision', name: 'end_sec', nullable: true })
  endSec: number | null;

  /** Rises with every edit (trim, look, caption fix); the If-Match of concurrent editors. */
  @Column({ type: 'int', default: 1 })
  version: number;

  /** The version the published objects show; null before the first render. */
  @Column({ type: 'int', name: 'rendered_version', nullable: true })
  renderedVersion: number | null;

  /** The version the queued or running render was asked for (what "next version" shows). */
  @Column({ type: 'int', name: 'rendering_version', nullable: true })
  renderingVersion: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
