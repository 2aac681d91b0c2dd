import { Body, Controller, HttpCode, Param, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { CurrentKey } from '../auth/current-key.decorator';
import { ApiFileView } from '../common/openapi/api-view.decorator';
import { JobAccessService } from '../jobs/job-access.service';
import { PreviewsService } from './previews.service';

@ApiTags('results')
@ApiSecurity('api-key')
@Controller('v1/jobs/:id/clips/:clipId')
export class PreviewsController {
  constructor(
    private readonly access: JobAccessService,
    private readonly previews: PreviewsService,
  ) {}

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'One JPEG frame of the clip rendered with a look (captions, layout, hook title), at its first caption; nothing is stored',
  })
  @ApiFileView(['image/jpeg'], { errors: [400, 404, 409, 410, 422, 429, 503] })
  async preview(
    @Param('id') id: string,
    @Param('clipId') clipId: string,
    @Body() body: unknown,
    @CurrentKey() key: AuthenticatedKey,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<StreamableFile> {
    const job = await this.access.get(id, key);
    const jpeg = await this.previews.render(job, clipId, body);
    res.setHeader('Cache-Control', 'no-store');
    return new StreamableFile(jpeg, { type: 'image/jpeg', length: jpeg.length });
  }
}
