import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { JobOptionsDto } from './job-options.dto';

/** JSON body of POST /v1/jobs: a job from an object already in the bucket. */
export class CreateJobFromKeyDto {
  @ApiProperty({ example: 'imports/episode-12.mp4' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  sourceKey: string;

  @ApiPropertyOptional({ type: JobOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => JobOptionsDto)
  options?: JobOptionsDto;
}
