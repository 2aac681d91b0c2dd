import type { CaptionEngineInfo, SegmentFeatures, TranscriptWord } from '@clipline/contracts';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { JobEntity } from './job.entity';

@Entity('content_segments')
@Unique('uq_content_segments_job_rank', ['jobId', 'rank'])
export class ContentSegmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  @Column({ type: 'int' })
  rank: number;

  @Column({ type: 'double precision', name: 'start_sec' })
  start: number;

  @Column({ type: 'double precision', name: 'end_sec' })
  end: number;

  @Column({ type: 'real' })
  score: number;

  @Column({ type: 'jsonb' })
  features: SegmentFeatures;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text' })
  text: string;

  /** Runners-up are kept unselected so ops can promote one and re-run rendering. */
  @Column({ type: 'boolean' })
  selected: boolean;

  @Column({ type: 'int' })
  attempt: number;

  /**
   * The caption tier's words for this segment (source time), recognised once
   * by the first clip of the segment to render and reused by its other
   * aspects. Null until then; a re-run of segmenting makes new rows.
   */
  @Column({ type: 'jsonb', name: 'caption_words', nullable: true })
  captionWords: TranscriptWord[] | null;

  @Column({ type: 'jsonb', name: 'caption_engine', nullable: true })
  captionEngine: CaptionEngineInfo | null;
}
