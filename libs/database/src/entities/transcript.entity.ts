import type { TranscriptSegment, TranscriptWord } from '@clipline/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { JobEntity } from './job.entity';

@Entity('transcripts')
export class TranscriptEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'job_id', unique: true })
  jobId: string;

  @OneToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  @Column({ type: 'text' })
  engine: string;

  @Column({ type: 'text' })
  model: string;

  @Column({ type: 'text', name: 'model_version' })
  modelVersion: string;

  @Column({ type: 'text' })
  language: string;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'jsonb' })
  words: TranscriptWord[];

  @Column({ type: 'jsonb' })
  segments: TranscriptSegment[];

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'int' })
  attempt: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
