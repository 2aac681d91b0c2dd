import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { JobEntity } from '@clipline/database';
import { Repository } from 'typeorm';
import type { AuthenticatedKey } from '../auth/api-key.types';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

export function canSeeOwner(key: AuthenticatedKey, ownerKeyId: string | null): boolean {
  return key.role === 'ops' || ownerKeyId === key.id;
}

/**
 * The one place that decides whether a key may see a job. A foreign job answers
 * exactly like a missing one, so ids of other owners' jobs cannot be probed.
 */
@Injectable()
export class JobAccessService {
  constructor(@InjectRepository(JobEntity) private readonly jobs: Repository<JobEntity>) {}

  async find(jobId: string, key: AuthenticatedKey): Promise<JobEntity | null> {
    if (!isUuid(jobId)) return null;
    const job = await this.jobs.findOne({ where: { id: jobId } });
    return job && canSeeOwner(key, job.ownerKeyId) ? job : null;
  }

  /**
   * A creator may start a job only from an object it put in the bucket itself:
   * a completed multipart upload of its own, or the source of one of its jobs.
   * Ops may use any object. The key must already be well-formed.
   */
  async maySource(sourceKey: string, key: AuthenticatedKey): Promise<boolean> {
    if (key.role === 'ops') return true;
    const rows = (await this.jobs.query(
      `SELECT 1 FROM uploads WHERE owner_key_id = $1 AND object_key = $2 AND status = 'completed'
       UNION ALL
       SELECT 1 FROM jobs WHERE owner_key_id = $1 AND source_key = $2
       LIMIT 1`,
      [key.id, sourceKey],
    )) as unknown[];
    return rows.length > 0;
  }

  async get(jobId: string, key: AuthenticatedKey): Promise<JobEntity> {
    const job = await this.find(jobId, key);
    if (!job) throw new NotFoundException(`Job ${jobId} was not found.`);
    return job;
  }
}
