import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Put,
} from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedKey } from '../auth/api-key.types';
import { CurrentKey } from '../auth/current-key.decorator';
import { ApiNoContentView, ApiView } from '../common/openapi/api-view.decorator';
import { CreateUploadDto, PresignPartsDto, ReportPartDto } from './upload.dto';
import { UploadsService } from './uploads.service';

@ApiTags('uploads')
@ApiSecurity('api-key')
@Controller('v1/uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Post()
  @ApiOperation({
    summary: 'Start a resumable multipart upload',
    description:
      'Returns the part size and presigned PUT URLs for the first 100 parts. PUT each part to its URL, then report it (PUT /v1/uploads/:id/parts/:n) and finally complete.',
  })
  @ApiView('UploadCreatedView', { status: 201, errors: [400, 413] })
  create(@Body() dto: CreateUploadDto, @CurrentKey() key: AuthenticatedKey) {
    return this.uploads.create(dto, key);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Parts already stored, so a client can resume' })
  @ApiView('UploadStatusView', { errors: [404] })
  status(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.uploads.status(id, key);
  }

  @Post(':id/parts')
  @HttpCode(200)
  @ApiOperation({ summary: 'Presign more part URLs' })
  @ApiView('UploadPartsView', { errors: [400, 404, 409] })
  presign(
    @Param('id') id: string,
    @Body() dto: PresignPartsDto,
    @CurrentKey() key: AuthenticatedKey,
  ) {
    return this.uploads.presignParts(id, dto.partNumbers, key);
  }

  @Put(':id/parts/:partNumber')
  @ApiOperation({ summary: 'Report a part stored with its ETag' })
  @ApiView('PartReportedView', { errors: [400, 404, 409] })
  report(
    @Param('id') id: string,
    @Param('partNumber', ParseIntPipe) partNumber: number,
    @Body() dto: ReportPartDto,
    @CurrentKey() key: AuthenticatedKey,
  ) {
    return this.uploads.reportPart(id, partNumber, dto, key);
  }

  @Post(':id/complete')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Assemble the parts, probe the file and create the job',
    description: '422 when the file is not media, is corrupt, or breaks the size or length limits.',
  })
  @ApiView('JobDetailView', { status: 201, errors: [404, 409, 413, 422] })
  complete(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey) {
    return this.uploads.complete(id, key);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Abort the upload' })
  @ApiNoContentView({ errors: [404, 409] })
  async abort(@Param('id') id: string, @CurrentKey() key: AuthenticatedKey): Promise<void> {
    await this.uploads.abort(id, key);
  }
}
