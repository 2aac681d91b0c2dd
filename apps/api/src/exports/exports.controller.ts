import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { CurrentKey } from '../auth/current-key.decorator';
import { ApiTextView, type ErrorStatus } from '../common/openapi/api-view.decorator';
import { JobAccessService } from '../jobs/job-access.service';
import { ClipExportQueryDto, JobExportQueryDto } from './exports.dto';
import { ExportsService, type ExportDownload } from './exports.service';

/** FCPXML and xmeml are XML, an EDL is text, SRT is SubRip; OTIO is JSON (ExportJsonView). */
const TEXT_FORMATS = ['application/xml', 'text/plain'];
const ERRORS: ErrorStatus[] = [400, 404, 409, 422];

function send(res: ServerResponse, file: ExportDownload): string {
  res.setHeader('Content-Type', file.contentType);
  // The name is built from ASCII letters, digits and ._- only (safeFileName), so quoting is enough.
  res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  return file.body;
}

@ApiTags('exports')
@ApiSecurity('api-key')
@Controller('v1/jobs/:id')
export class ExportsController {
  constructor(
    private readonly access: JobAccessService,
    private readonly exports: ExportsService,
  ) {}

  @Get('clips/:clipId/export')
  @ApiOperation({
    summary:
      'Edit decisions of one rendered clip for an editor: FCPXML, Premiere XML (xmeml), CMX 3600 EDL or OTIO, with jump cuts and keyframed reframe; srt gives its captions on that timeline (409 until the clip is rendered)',
  })
  @ApiTextView([...TEXT_FORMATS, 'application/x-subrip'], {
    json: 'ExportJsonView',
    errors: ERRORS,
  })
  async clip(
    @Param('id') id: string,
    @Param('clipId') clipId: string,
    @Query() q: ClipExportQueryDto,
    @CurrentKey() key: AuthenticatedKey,
    @Res({ passthrough: true }) res: ServerResponse,
  ) {
    const job = await this.access.get(id, key);
    return send(res, await this.exports.clipExport(job, clipId, q.format));
  }

  @Get('export')
  @ApiOperation({
    summary:
      'Edit decisions of every rendered clip of the job in one file (409 until a clip is rendered)',
  })
  @ApiTextView(TEXT_FORMATS, { json: 'ExportJsonView', errors: ERRORS })
  async job(
    @Param('id') id: string,
    @Query() q: JobExportQueryDto,
    @CurrentKey() key: AuthenticatedKey,
    @Res({ passthrough: true }) res: ServerResponse,
  ) {
    const job = await this.access.get(id, key);
    return send(res, await this.exports.jobExport(job, q.format));
  }
}
