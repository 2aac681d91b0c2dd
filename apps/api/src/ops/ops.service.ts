import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  isStageDone,
  isWorkerStage,
  redactSecrets,
  WORKER_STAGES,
  type CropPlansReplacedView,
  type FailedQueueJobView,
  type FailedStageView,
  type PromotedView,
  type QueueStats,
  type WorkerStage,
} from '@clipline/contracts';
import { JobStageEntity, type JobEntity } from '@clipline/database';
import {
  ClipRerenderer,
  JobOrchestrator,
  StageScheduler,
  layoutOutputs,
  segmentsOutputs,
} from '@clipline/pipeline';
import { Repository } from 'typeorm';
import { isUuid } from '../jobs/job-access.service';
import { stageView } from '../jobs/job.view';
import type { ReplaceCropPlansDto } from './crop-plans.dto';

export function parseWorkerStage(stage: string): WorkerStage {
  if (!isWorkerStage(stage)) {
    throw new BadRequestException(
      `Unknown stage "${stage}"; expected one of: ${WORKER_STAGES.join(', ')}.`,
    );
  }
  return stage;
}

@Injectable()
export class OpsService {
  constructor(
    @InjectRepository(JobStageEntity) private readonly stages: Repository<JobStageEntity>,
    private readonly orchestrator: JobOrchestrator,
    private readonly scheduler: StageScheduler,
    private readonly rerenderer: ClipRerenderer,
  ) {}

  rerun(job: JobEntity, stage: WorkerStage): Promise<void> {
    return this.orchestrator.rerunStage(job.id, stage);
  }

  retry(job: JobEntity): Promise<WorkerStage[]> {
    return this.orchestrator.retryJob(job.id);
  }

  pause(stage: WorkerStage) {
    return this.scheduler.pause(stage);
  }

  resume(stage: WorkerStage) {
    return this.scheduler.resume(stage);
  }

  queues(): Promise<QueueStats[]> {
    return this.scheduler.queueStats();
  }

  async failedInQueue(stage: WorkerStage, limit: number): Promise<FailedQueueJobView[]> {
    const jobs = await this.scheduler.failedJobs(stage, limit);
    return jobs.map((j) => ({
      ...j,
      // Bull hands back the payload we queued: a StageJobPayload or RenderJobPayload.
      data: (j.data ?? null) as FailedQueueJobView['data'],
      failedReason: j.failedReason === undefined ? undefined : redactSecrets(j.failedReason),
      finishedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
    }));
  }

  /** From Postgres, which keeps failures after Bull has trimmed them. */
  async failedStages(limit: number): Promise<FailedStageView[]> {
    const rows = await this.stages.find({
      where: { status: 'failed' },
      order: { finishedAt: { direction: 'DESC', nulls: 'LAST' } },
      take: limit,
    });
    return rows.map((s) => ({ jobId: s.jobId, ...stageView(s) }));
  }

  /** Hand-edited crop plans; rendering re-runs when its inputs are already there. */
  async replaceCropPlans(job: JobEntity, dto: ReplaceCropPlansDto): Promise<CropPlansReplacedView> {
    const layout = await layoutOutputs.read(this.stages.manager, job.id);
    if (!layout) throw new ConflictException('The layout stage has produced no analysis to edit.');
    const aspects = dto.cropPlans.map((p) => p.aspect);
    if (new Set(aspects).size !== aspects.length) {
      throw new BadRequestException('cropPlans has more than one plan for the same aspect.');
    }
    for (const p of dto.cropPlans) {
      for (const s of p.scenes) {
        if (s.end < s.start) {
          throw new BadRequestException(
            `cropPlans[${p.aspect}] scene ${s.sceneIndex} ends before it starts.`,
          );
        }
      }
    }
    await layoutOutputs.replaceCropPlans(this.stages.manager, job.id, dto.cropPlans);
    const rerendered = await this.rerenderIfReady(job);
    return { jobId: job.id, cropPlans: dto.cropPlans, rerendered };
  }

  /**
   * Renders the promoted segment's clips alone: the job's other clips keep
   * their files and status (re-running rendering would queue every clip).
   */
  async promote(job: JobEntity, segmentId: string): Promise<PromotedView> {
    const seg = isUuid(segmentId)
      ? await segmentsOutputs.readOne(this.stages.manager, segmentId, job.id)
      : null;
    if (!seg) throw new NotFoundException(`Segment ${segmentId} was not found in job ${job.id}.`);
    if (seg.selected) throw new ConflictException(`Segment ${segmentId} is already selected.`);
    // An OrchestrationError reaches JsonErrorFilter, which maps its kind to HTTP.
    const clips = await this.rerenderer.promoteSegment(job.id, seg.id);
    return {
      jobId: job.id,
      segmentId: seg.id,
      rank: seg.rank,
      selected: true,
      rerendered: clips.length > 0,
      clips,
    };
  }

  private async rerenderIfReady(job: JobEntity): Promise<boolean> {
    const seg = await this.stages.findOne({ where: { jobId: job.id, stage: 'segmenting' } });
    if (!seg || !isStageDone(seg.status)) return false;
    await this.orchestrator.rerunStage(job.id, 'rendering');
    return true;
  }
}
