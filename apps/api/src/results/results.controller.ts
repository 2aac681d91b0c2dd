import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { toSrt, toTxt, toVtt } from '@clipline/transcription';
import type { ServerResponse } from 'node:http';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { CurrentKey } from '../auth/current-key.decorator';
import { ApiTextView, ApiView } from '../common/openapi/api-view.decorator';
import { JobAccessService } from '../jobs/job-access.service';
import { LogsQueryDto, TranscriptQueryDto } from './results.dto';
import { ResultsService } from './results.service';

const TEXT_FORMATS = {
  srt: { type: 'application/x-subrip; charset=utf-8', render: toSrt },
  vtt: { type: 'text/vtt; charset=utf-8', render: toVtt },
  txt: { type: 'text/plain; charset=utf-8', render: toTxt },
} as const;

@ApiTags('results')
@ApiSecurity('api-key')
@Controller('v1/jobs/:id')
export class ResultsController {
  constructor(
    private readonly access: JobAccessService,
    private readonly results: ResultsService,
  ) {}

  @Get('transcript')
  @ApiOperation({
    summary: 'Transcript as json, srt, vtt or txt (409 until transcription is done)',
  })
  @ApiTextView(['application/x-subrip', 'text/vtt', 'text/plain'], {
    json: 'TranscriptView',
    errors: [400, 404, 409],
  })
  async transcript(
    @Param('id') id: string,
    @Query() q: TranscriptQueryDto,
    @CurrentKey() key: AuthenticatedKey,
    @Res({ passthrough: true }) res: ServerResponse,
  ) {
    const job = await this.access.get(id, key);
    const t = await this.results.transcript(job);
    const format = q.format ?? 'json';
    if (format === 'json') return this.results.transcriptJson(job, t);
    const f = TEXT_FORMATS[format];
    res.setHeader('Content-Type', f.type);
    res.setHeader('Content-Disposition', `inline; filename="transcript-${id}.${format}"`);
    return f.render(t);
  }

  @Get('silences')
  @ApiOperation({
    summary:
      'One timeline of silence and non-speech regions without overlaps, the two detector layers, and the stage summary',
  })
  @ApiView('SilencesView', { errors: [404, 409] })
  async silences(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.results.silences(await this.access.get(id, key));
  }

  @Get('layout')
  @ApiOperation({ summary: 'Scenes, face tracks and crop plans' })
  @ApiView('LayoutView', { errors: [404, 409] })
  async layout(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.results.layout(await this.access.get(id, key));
  }

  @Get('segments')
  @ApiOperation({ summary: 'Selected segments and runners-up, ranked' })
  @ApiView('SegmentsView', { errors: [404, 409] })
  async segments(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.results.segments(await this.access.get(id, key));
  }

  @Get('clips')
  @ApiOperation({ summary: 'Clips with presigned download URLs' })
  @ApiView('ClipsView', { errors: [404, 409] })
  async clips(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.results.clips(await this.access.get(id, key));
  }

  @Get('logs')
  @ApiOperation({ summary: 'Processing log, oldest first (paginate with after)' })
  @ApiView('LogsView', { errors: [400, 404] })
  async logs(
    @Param('id') id: string,
    @Query() q: LogsQueryDto,
    @CurrentKey() key: AuthenticatedKey,
  ) {
    return this.results.logs(await this.access.get(id, key), q.after ?? 0, q.limit ?? 100);
  }
}
