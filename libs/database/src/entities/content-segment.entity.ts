import type { SegmentFeatures, TranscriptWord } from '@clipline/contracts';
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

/** Which recogniser made a set of caption words, and what that cost. */
export interface CaptionEngineInfo {
  /** `caption`: re-recognised for the clip; `fast`: the whole-source transcript's words. */
  tier: 'caption' | 'fast';
  engine: string;
  model: string;
  modelVersion: string;
  /** pocketsphinx search preset (`fast`/`accurate`); null for other engines. */
  preset: string | null;
  /** The window recognised (with its margin trimmed), source seconds; null for the fast tier. */
  windowStart?: number | null;
  windowEnd?: number | null;
  elapsedMs?: number | null;
  /** Why the caption tier was not used, when it was not. */
  note?: string | null;
}
