import type { CropPlan, FaceTrack, Scene } from '@clipline/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { JobEntity } from './job.entity';

@Entity('layout_analyses')
export class LayoutAnalysisEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'job_id', unique: true })
  jobId: string;

  @OneToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id' })
  job?: JobEntity;

  @Column({ type: 'real', name: 'sample_fps' })
  sampleFps: number;

  @Column({ type: 'int', name: 'frame_count' })
  frameCount: number;

  @Column({ type: 'jsonb' })
  scenes: Scene[];

  @Column({ type: 'jsonb', name: 'scene_cuts' })
  sceneCuts: number[];

  @Column({ type: 'jsonb', name: 'face_tracks' })
  faceTracks: FaceTrack[];

  /** Ops may edit these through the API and re-run only rendering. */
  @Column({ type: 'jsonb', name: 'crop_plans' })
  cropPlans: CropPlan[];

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'int' })
  attempt: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
