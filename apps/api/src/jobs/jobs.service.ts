import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@clipline/config';
import { InjectRepository } from '@nestjs/typeorm';
import { ClipEntity, JobEntity, JobStageEntity } from '@clipline/database';
import { cachedRates, JobOrchestrator, jobProgress } from '@clipline/pipeline';
import { Repository } from 'typeorm';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { isUuid, JobAccessService } from './job-access.service';
import type { ClipCounts, JobDetailView, JobPageView } from '@clipline/contracts';
import { EMPTY_CLIP_COUNTS, jobDetailView, jobSummaryView } from './job.view';
import type { ListJobsQueryDto } from './list-jobs.dto';

interface Cursor {
  createdAt: string;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt}|${c.id}`, 'utf8').toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  const [createdAt, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || !isUuid(id) || Number.isNaN(Date.parse(createdAt))) {
    throw new BadRequestException('cursor is not valid; use nextCursor from a previous page');
  }
  return { createdAt, id };
}

@Injectable()
export class JobsService {
  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @InjectRepository(JobEntity) private readonly jobs: Repository<JobEntity>,
    @InjectRepository(JobStageEntity) private readonly stages: Repository<JobStageEntity>,
    @InjectRepository(ClipEntity) private readonly clips: Repository<ClipEntity>,
    private readonly access: JobAccessService,
    private readonly orchestrator: JobOrchestrator,
  ) {}

  /** Newest first; the cursor is (created_at, id) in microseconds so pages never skip rows. */
  async list(key: AuthenticatedKey, q: ListJobsQueryDto): Promise<JobPageView> {
    const limit = q.limit ?? 20;
    const qb = this.jobs
      .createQueryBuilder('j')
      .addSelect(
        `to_char(j.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
        'cursor_ts',
      )
      .orderBy('j.created_at', 'DESC')
      .addOrderBy('j.id', 'DESC')
      .limit(limit + 1);
    if (key.role !== 'ops') qb.andWhere('j.owner_key_id = :owner', { owner: key.id });
    if (q.status) qb.andWhere('j.status = :status', { status: q.status });
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      qb.andWhere('(j.created_at, j.id) < (CAST(:ts AS timestamptz), CAST(:cid AS uuid))', {
        ts: c.createdAt,
        cid: c.id,
      });
    }
    const { entities, raw } = await qb.getRawAndEntities<{ cursor_ts: string }>();
    const page = entities.slice(0, limit);
    const last = page.length ? page.length - 1 : -1;
    const nextCursor =
      entities.length > limit && last >= 0
        ? encodeCursor({ createdAt: raw[last].cursor_ts, id: page[last].id })
        : null;
    const counts = await this.clipCountsOf(page.map((j) => j.id));
    return {
      items: page.map((j) => jobSummaryView(j, counts.get(j.id) ?? { ...EMPTY_CLIP_COUNTS })),
      nextCursor,
    };
  }

  async detail(jobId: string, key: AuthenticatedKey): Promise<JobDetailView> {
    const job = await this.access.get(jobId, key);
    return this.detailOf(job);
  }

  async detailOf(job: JobEntity): Promise<JobDetailView> {
    const [stages, clips, rates] = await Promise.all([
      this.stages.find({ where: { jobId: job.id } }),
      this.clipCountsOf([job.id]).then((m) => m.get(job.id) ?? { ...EMPTY_CLIP_COUNTS }),
      cachedRates(this.jobs.manager.connection),
    ]);
    // The same function the workers use for job.status, so view and event agree.
    const overall = jobProgress(job.status, stages, job.mediaInfo?.durationSec ?? 0, rates);
    return jobDetailView(job, stages, clips, overall, {
      sourceDays: this.cfg.RETENTION_SOURCE_DAYS,
      clipDays: this.cfg.RETENTION_CLIP_DAYS,
    });
  }

  async cancel(jobId: string, key: AuthenticatedKey): Promise<JobDetailView> {
    await this.access.get(jobId, key);
    await this.orchestrator.cancelJob(jobId);
    return this.detail(jobId, key);
  }

  async remove(jobId: string, key: AuthenticatedKey): Promise<void> {
    await this.access.get(jobId, key);
    await this.orchestrator.deleteJob(jobId);
  }

  /** Clip counts of several jobs in one query, so a page of the list costs no query per job. */
  private async clipCountsOf(jobIds: string[]): Promise<Map<string, ClipCounts>> {
    const out = new Map<string, ClipCounts>();
    if (!jobIds.length) return out;
    const rows = await this.clips
      .createQueryBuilder('c')
      .select('c.job_id', 'jobId')
      .addSelect('c.status', 'status')
      .addSelect('COUNT(*)::int', 'n')
      .where('c.job_id IN (:...jobIds)', { jobIds })
      .groupBy('c.job_id')
      .addGroupBy('c.status')
      .getRawMany<{ jobId: string; status: Exclude<keyof ClipCounts, 'total'>; n: number }>();
    for (const r of rows) {
      const counts = out.get(r.jobId) ?? { ...EMPTY_CLIP_COUNTS };
      counts[r.status] = r.n;
      counts.total += r.n;
      out.set(r.jobId, counts);
    }
    return out;
  }
}
