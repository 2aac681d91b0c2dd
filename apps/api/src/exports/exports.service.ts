import {
  ConflictException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { StoredClip } from '@clipline/contracts';
import type { JobEntity } from '@clipline/database';
import {
  buildExportClip,
  exportSourceOf,
  safeFileName,
  writeExport,
  writeSrt,
  type ExportClip,
  type ExportFile,
  type ExportFormat,
  type ExportSource,
} from '@clipline/export';
import {
  captionWordsOf,
  clipOutputs,
  cropPlanFor,
  layoutOutputs,
  segmentsOutputs,
  silenceOutputs,
  transcriptOutputs,
} from '@clipline/pipeline';
import { DataSource } from 'typeorm';
import { isUuid } from '../jobs/job-access.service';
import type { ClipExportFormat } from './exports.dto';

export interface ExportDownload {
  body: string;
  contentType: string;
  fileName: string;
}

/**
 * Edit decisions of rendered clips for an editor: the same cut list, crop
 * path and caption words the render used, read from Postgres; the media stays
 * where it is and is relinked by file name.
 */
@Injectable()
export class ExportsService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async clipExport(
    job: JobEntity,
    clipId: string,
    format: ClipExportFormat,
  ): Promise<ExportDownload> {
    const clip = isUuid(clipId) ? await clipOutputs.readOne(this.ds.manager, clipId, job.id) : null;
    // A malformed id is not echoed back: it is client text of any length.
    if (!clip) {
      throw new NotFoundException(
        isUuid(clipId) ? `Clip ${clipId} was not found in job ${job.id}.` : 'Clip was not found.',
      );
    }
    if (clip.status !== 'completed') {
      throw new ConflictException(
        `Clip ${clipId} is not rendered yet (status: ${clip.status}); its edit can be exported once it is completed.`,
      );
    }
    const source = this.sourceOf(job);
    const [built] = await this.build(job, source, [clip]);
    const suffix = `${built.name.toLowerCase().replace(/\s+/g, '-')}`;
    if (format === 'srt') {
      return {
        body: writeSrt(built, source),
        contentType: 'application/x-subrip; charset=utf-8',
        fileName: fileName(job, suffix, 'srt'),
      };
    }
    return this.download(job, source, [built], format, suffix);
  }

  async jobExport(job: JobEntity, format: ExportFormat): Promise<ExportDownload> {
    const rows = await clipOutputs.readForJob(this.ds.manager, job.id, 'completed');
    if (rows.length === 0) {
      throw new ConflictException(
        `No clip of job ${job.id} is rendered yet; its edit can be exported once one is completed.`,
      );
    }
    const source = this.sourceOf(job);
    return this.download(job, source, await this.build(job, source, rows), format, 'clips');
  }

  private download(
    job: JobEntity,
    source: ExportSource,
    clips: ExportClip[],
    format: ExportFormat,
    suffix: string,
  ): ExportDownload {
    const title = `${source.fileName} (Clipline ${job.id.slice(0, 8)})`;
    let file: ExportFile;
    try {
      file = writeExport({ title, source, clips }, format);
    } catch (err) {
      // A format's own limit, e.g. 999 events in a CMX 3600 EDL.
      if (err instanceof RangeError) throw new UnprocessableEntityException(err.message);
      throw err;
    }
    return {
      body: file.body,
      contentType: file.contentType,
      fileName: fileName(job, suffix, file.extension),
    };
  }

  private sourceOf(job: JobEntity): ExportSource {
    const ext = /\.([A-Za-z0-9]{1,5})$/.exec(job.sourceKey)?.[1] ?? 'mp4';
    return exportSourceOf(job.mediaInfo, job.sourceFilename?.trim() || `source.${ext}`);
  }

  private async build(
    job: JobEntity,
    source: ExportSource,
    clips: StoredClip[],
  ): Promise<ExportClip[]> {
    const m = this.ds.manager;
    const segments = await segmentsOutputs.readMany(
      m,
      job.id,
      clips.map((c) => c.segmentId),
    );
    const byId = new Map(segments.map((s) => [s.id, s]));
    const [layout, transcript] = await Promise.all([
      layoutOutputs.read(m, job.id),
      transcriptOutputs.read(m, job.id),
    ]);
    const out: Array<{ rank: number; clip: ExportClip }> = [];
    for (const c of clips) {
      const seg = byId.get(c.segmentId);
      if (!seg) continue;
      const silences = await silenceOutputs.readWindow(m, job.id, seg);
      // The words the render cut and captioned with: the caption tier's, else the fast transcript's.
      const words = captionWordsOf(seg, transcript);
      const aspect = c.aspect;
      try {
        out.push({
          rank: seg.rank,
          clip: buildExportClip({
            name: `Clip ${seg.rank} ${aspect.replace(':', 'x')}`,
            source,
            start: seg.start,
            end: seg.end,
            aspect,
            words,
            silences,
            removeSilence: job.options.removeSilence,
            cropPlan: cropPlanFor(layout, aspect),
          }),
        });
      } catch (err) {
        throw new UnprocessableEntityException(
          `Clip ${c.id} cannot be exported: ${(err as Error).message}.`,
        );
      }
    }
    out.sort((a, b) => a.rank - b.rank || a.clip.name.localeCompare(b.clip.name));
    return out.map((o) => o.clip);
  }
}

function fileName(job: JobEntity, suffix: string, ext: string): string {
  const stem = (job.sourceFilename ?? '').replace(/\.[A-Za-z0-9]{1,5}$/, '');
  return safeFileName(`${stem || 'clipline'}-${suffix}`, ext);
}
