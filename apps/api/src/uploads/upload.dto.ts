import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  Max,
  ValidateNested,
} from 'class-validator';
import { JobOptionsDto } from '../jobs/job-options.dto';

export const MAX_PARTS = 10_000;

export class CreateUploadDto {
  @ApiProperty({ example: 'episode-12.mp4' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  filename: string;

  @ApiProperty({ description: 'Total size in bytes', example: 104857600 })
  @IsInt()
  @Min(1)
  size: number;

  @ApiProperty({ example: 'video/mp4' })
  @IsString()
  @Matches(/^[\w.+-]+\/[\w.+-]+$/, { message: 'contentType must look like "video/mp4"' })
  contentType: string;

  @ApiPropertyOptional({ type: JobOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => JobOptionsDto)
  options?: JobOptionsDto;
}

export class PresignPartsDto {
  @ApiProperty({ type: [Number], example: [101, 102] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_PARTS, { each: true })
  partNumbers: number[];
}

export class ReportPartDto {
  @ApiProperty({ description: 'ETag header S3 returned for the part PUT', example: '"9b2cf5…"' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  etag: string;

  @ApiProperty({ description: 'Bytes sent in the part' })
  @IsInt()
  @Min(1)
  size: number;
}
