import {
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { CurrentKey } from '../auth/current-key.decorator';
import { validateDto } from '../common/validate-dto';
import { CreateJobFromKeyDto } from './create-job.dto';
import { JobAccessService } from './job-access.service';
import { JobIntakeService } from './job-intake.service';
import { resolveJobOptions } from './job-options.dto';
import { JobsService } from './jobs.service';
import { ListJobsQueryDto } from './list-jobs.dto';
import { ApiNoContentView, ApiView } from '../common/openapi/api-view.decorator';
import { assertWellFormedSourceKey } from './source-key.policy';
import { StreamUploadService } from './stream-upload.service';

@ApiTags('jobs')
@ApiSecurity('api-key')
@ApiExtraModels(CreateJobFromKeyDto)
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly access: JobAccessService,
    private readonly intake: JobIntakeService,
    private readonly stream: StreamUploadService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a job',
    description:
      'multipart/form-data with a "file" field (and an optional "options" JSON field, sent before the file) streams the file to S3; JSON with "sourceKey" uses an object already in the bucket: for a creator, only one it uploaded itself (a completed upload or the source of one of its jobs); ops may name any key. Keys with "." or ".." segments, empty segments, backslashes, control characters or percent-escapes are refused with 400. 413 over UPLOAD_MAX_BYTES, 422 when the file is not usable media.',
  })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'object',
          required: ['file'],
          properties: {
            options: { type: 'string', description: 'JobOptions as JSON' },
            file: { type: 'string', format: 'binary' },
          },
        },
        { $ref: getSchemaPath(CreateJobFromKeyDto) },
      ],
    },
  })
  @ApiView('JobDetailView', { status: 201, errors: [400, 404, 413, 422, 429] })
  async create(
    @Req() req: IncomingMessage & { body?: unknown },
    @CurrentKey() key: AuthenticatedKey,
  ) {
    if (/^multipart\//i.test(req.headers['content-type'] ?? '')) {
      return this.jobs.detailOf(await this.stream.receive(req, key));
    }
    const dto = validateDto(CreateJobFromKeyDto, req.body);
    await this.assertMaySource(dto.sourceKey, key);
    const job = await this.intake.intake({
      jobId: randomUUID(),
      ownerKeyId: key.id,
      sourceKey: dto.sourceKey,
      sourceFilename: dto.sourceKey.split('/').pop() ?? null,
      options: resolveJobOptions(dto.options),
      deleteOnReject: false,
    });
    return this.jobs.detailOf(job);
  }

  @Get()
  @ApiOperation({ summary: 'List jobs, newest first (cursor pagination)' })
  @ApiView('JobPageView', { errors: [400] })
  list(@Query() q: ListJobsQueryDto, @CurrentKey() key: AuthenticatedKey) {
    return this.jobs.list(key, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A job with every stage' })
  @ApiView('JobDetailView', { errors: [404] })
  get(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.jobs.detail(id, key);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a job, its rows and its S3 objects' })
  @ApiNoContentView({ errors: [404] })
  async remove(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey): Promise<void> {
    await this.jobs.remove(id, key);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a job' })
  @ApiView('JobDetailView', { errors: [404, 409] })
  cancel(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.jobs.cancel(id, key);
  }

  /** An object the caller may not use answers exactly like a missing one. */
  private async assertMaySource(sourceKey: string, key: AuthenticatedKey): Promise<void> {
    assertWellFormedSourceKey(sourceKey);
    if (!(await this.access.maySource(sourceKey, key))) {
      throw new NotFoundException(`No object "${sourceKey}" in the bucket.`);
    }
  }
}
