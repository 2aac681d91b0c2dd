import { ApiProperty } from '@nestjs/swagger';
import { EXPORT_FORMATS, type ExportFormat } from '@clipline/export';
import { IsIn } from 'class-validator';

/** A clip also offers its captions on the exported timeline as SRT. */
export const CLIP_EXPORT_FORMATS = [...EXPORT_FORMATS, 'srt'] as const;
export type ClipExportFormat = ExportFormat | 'srt';

export class ClipExportQueryDto {
  @ApiProperty({ enum: CLIP_EXPORT_FORMATS })
  @IsIn(CLIP_EXPORT_FORMATS)
  format: ClipExportFormat;
}

export class JobExportQueryDto {
  @ApiProperty({ enum: EXPORT_FORMATS })
  @IsIn(EXPORT_FORMATS)
  format: ExportFormat;
}
