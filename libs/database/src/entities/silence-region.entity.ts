import type { SilenceKind } from '@clipline/contracts';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { JobEntity } from './job.entity';

@Entity('silence_regions')
@Index('ix_silence_regions_job_start', ['jobId', 'start'])
export class SilenceRegionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  @Column({ type: 'text' })
  kind: SilenceKind;

  @Column({ type: 'double precision', name: 'start_sec' })
  start: number;

  @Column({ type: 'double precision', name: 'end_sec' })
  end: number;

  @Column({ type: 'real', name: 'mean_db' })
  meanDb: number;

  @Column({ type: 'int' })
  attempt: number;
}
