import { ApiPropertyOptional } from '@nestjs/swagger';
import { ASPECTS, DEFAULT_JOB_OPTIONS, type Aspect, type JobOptions } from '@clipline/contracts';
import { BadRequestException } from '@nestjs/common';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { validateDto } from '../common/validate-dto';

/** Per-job options; omitted fields take DEFAULT_JOB_OPTIONS. */
export class JobOptionsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: DEFAULT_JOB_OPTIONS.clipCount })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  clipCount?: number;

  @ApiPropertyOptional({ minimum: 5, maximum: 300, default: DEFAULT_JOB_OPTIONS.minClipSeconds })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(300)
  minClipSeconds?: number;

  @ApiPropertyOptional({ minimum: 5, maximum: 600, default: DEFAULT_JOB_OPTIONS.maxClipSeconds })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(600)
  maxClipSeconds?: number;

  @ApiPropertyOptional({ enum: ASPECTS, isArray: true, default: DEFAULT_JOB_OPTIONS.aspects })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ASPECTS, { each: true })
  aspects?: Aspect[];

  @ApiPropertyOptional({ default: DEFAULT_JOB_OPTIONS.captions })
  @IsOptional()
  @IsBoolean()
  captions?: boolean;

  @ApiPropertyOptional({ default: DEFAULT_JOB_OPTIONS.removeSilence })
  @IsOptional()
  @IsBoolean()
  removeSilence?: boolean;

  @ApiPropertyOptional({ example: 'en', description: '2–10 characters, or "auto"' })
  @IsOptional()
  @IsString()
  @Matches(/^(auto|[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,6})?)$/, {
    message: 'language must be "auto" or a 2–10 character language code such as "en" or "pt-BR"',
  })
  language?: string;
}

/** Fills defaults and checks the rule that spans two fields. */
export function resolveJobOptions(dto: JobOptionsDto | null | undefined): JobOptions {
  const opts: JobOptions = { ...DEFAULT_JOB_OPTIONS, ...stripUndefined(dto ?? {}) };
  if (opts.maxClipSeconds < opts.minClipSeconds) {
    throw new BadRequestException(
      `maxClipSeconds (${opts.maxClipSeconds}) must be at least minClipSeconds (${opts.minClipSeconds})`,
    );
  }
  return opts;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Validates options that did not come through the global ValidationPipe (a
 * multipart form field, or options stored with an upload).
 */
export function parseJobOptions(raw: unknown): JobOptions {
  if (raw === undefined || raw === null || raw === '') return resolveJobOptions(null);
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new BadRequestException('options must be a JSON object');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestException('options must be a JSON object');
  }
  return resolveJobOptions(validateDto(JobOptionsDto, value, 'options'));
}
