import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedKey } from '../auth/api-key.types';
import type {
  ClipDetail,
  ClipEditedView,
  ClipRenderView,
  CorrectionAddedView,
  CorrectionRevertedView,
  JobLookView,
  TranscriptCorrectionsView,
  TrimPreview,
} from '@clipline/contracts';
import { CurrentKey } from '../auth/current-key.decorator';
import { ApiView } from '../common/openapi/api-view.decorator';
import { JobAccessService } from '../jobs/job-access.service';
import { ClipEditsService } from './clip-edits.service';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The clip version you edited ("3"); a stale one answers 409. Or send "version".',
};

/**
 * The creator's editing loop. Every route resolves the job through
 * JobAccessService first, so another creator's job (or its clip) is 404.
 * Bodies are read as plain JSON and checked by hand so each 400 names its field.
 */
@ApiTags('clip editing')
@ApiSecurity('api-key')
@Controller('v1/jobs/:id')
export class ClipEditsController {
  constructor(
    private readonly access: JobAccessService,
    private readonly edits: ClipEditsService,
  ) {}

  @Get('clips/:clipId')
  @ApiOperation({
    summary: 'One clip for the editor: words with fixes, edges, look, current and next version',
  })
  @ApiView('ClipDetail', { errors: [404] })
  async detail(
    @Param('id') id: string,
    @Param('clipId') clipId: string,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<ClipDetail> {
    return this.edits.detail(await this.access.get(id, key), clipId);
  }

  @Patch('clips/:clipId')
  @ApiOperation({
    summary: 'Trim (start/end, snapped to words) and/or restyle (look) a clip; bumps its version',
  })
  @ApiHeader(IF_MATCH)
  @ApiBody({ schema: { type: 'object', example: { start: 12.3, end: 41.9, version: 3 } } })
  @ApiView('ClipEditedView', { errors: [400, 404, 409] })
  async edit(
    @Param('id') id: string,
    @Param('clipId') clipId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<ClipEditedView> {
    return this.edits.edit(await this.access.get(id, key), clipId, body, ifMatch);
  }

  @Post('clips/:clipId/trim-preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dry run of a trim: snapped edges, words gained and lost' })
  @ApiBody({ schema: { type: 'object', example: { start: 12.3, end: 41.9 } } })
  @ApiView('TrimPreview', { errors: [400, 404] })
  async trimPreview(
    @Param('id') id: string,
    @Param('clipId') clipId: string,
    @Body() body: unknown,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<TrimPreview> {
    return this.edits.trimPreview(await this.access.get(id, key), clipId, body);
  }

  @Post('clips/:clipId/corrections')
  @ApiOperation({ summary: "Replace the words of a time range in this clip's captions" })
  @ApiHeader(IF_MATCH)
  @ApiBody({ schema: { type: 'object', example: { start: 14.2, end: 15.1, text: 'Trello' } } })
  @ApiView('CorrectionAddedView', { status: 201, errors: [400, 404, 409] })
  async clipCorrection(
    @Param('id') id: string,
    @Param('clipId') clipId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<CorrectionAddedView> {
    const job = await this.access.get(id, key);
    return this.edits.addCorrection(job, key, clipId, body, ifMatch);
  }

  @Post('clips/:clipId/render')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Render this clip alone at its current version; the current files stay downloadable until the new ones publish',
  })
  @ApiView('ClipRenderView', { status: 202, errors: [404, 409, 410] })
  async render(
    @Param('id') id: string,
    @Param('clipId') clipId: string,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<ClipRenderView> {
    return this.edits.render(await this.access.get(id, key), clipId);
  }

  @Patch('look')
  @ApiOperation({ summary: "The job's default look for its clips" })
  @ApiBody({
    schema: { type: 'object', example: { look: { captions: { template: 'boxed' } } } },
  })
  @ApiView('JobLookView', { errors: [400, 404] })
  async jobLook(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<JobLookView> {
    return this.edits.setJobLook(await this.access.get(id, key), body);
  }

  @Get('transcript/corrections')
  @ApiOperation({ summary: "The transcript's caption fixes, with conflicts after a re-run" })
  @ApiView('TranscriptCorrectionsView', { errors: [404, 409] })
  async transcriptCorrections(
    @Param('id') id: string,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<TranscriptCorrectionsView> {
    return this.edits.transcriptCorrections(await this.access.get(id, key));
  }

  @Post('transcript/corrections')
  @ApiOperation({ summary: "Replace the words of a time range in the job's transcript" })
  @ApiBody({
    schema: { type: 'object', example: { start: 14.2, end: 15.1, text: 'Trello', version: 0 } },
  })
  @ApiView('CorrectionAddedView', { status: 201, errors: [400, 404, 409] })
  async transcriptCorrection(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<CorrectionAddedView> {
    const job = await this.access.get(id, key);
    return this.edits.addCorrection(job, key, null, body, ifMatch);
  }

  @Delete('corrections/:correctionId')
  @ApiOperation({ summary: 'Turn a caption fix off (kept as history)' })
  @ApiView('CorrectionRevertedView', { errors: [404] })
  async revert(
    @Param('id') id: string,
    @Param('correctionId') correctionId: string,
    @CurrentKey() key: AuthenticatedKey,
  ): Promise<CorrectionRevertedView> {
    return this.edits.revertCorrection(await this.access.get(id, key), correctionId);
  }
}
