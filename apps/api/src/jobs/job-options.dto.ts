import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ASPECTS,
  DEFAULT_JOB_OPTIONS,
  RETENTION_LIMITS,
  type Aspect,
  type JobOptions,
} from '@clipline/contracts';
import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
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
  ValidateNested,
} from 'class-validator';
import { validateDto } from '../common/validate-dto';

// The full path, since a nested field's own name alone does not say where it is.
const SOURCEDAYS_MESSAGE = `options.retention.sourceDays must be an integer from ${RETENTION_LIMITS.sourceDays.min} to ${RETENTION_LIMITS.sourceDays.max} (days)`;
const CLIPDAYS_MESSAGE = `options.retention.clipDays must be an integer from ${RETENTION_LIMITS.clipDays.min} to ${RETENTION_LIMITS.clipDays.max} (days)`;

/** Per-job retention; an omitted field takes RETENTION_SOURCE_DAYS / RETENTION_CLIP_DAYS. */
export class RetentionOptionsDto {
  @ApiPropertyOptional({
    minimum: RETENTION_LIMITS.sourceDays.min,
    maximum: RETENTION_LIMITS.sourceDays.max,
    description: 'Days after the job ends before its source is deleted',
  })
  @IsOptional()
  @IsInt({ message: SOURCEDAYS_MESSAGE })
  @Min(RETENTION_LIMITS.sourceDays.min, { message: SOURCEDAYS_MESSAGE })
  @Max(RETENTION_LIMITS.sourceDays.max, { message: SOURCEDAYS_MESSAGE })
  sourceDays?: number;

  @ApiPropertyOptional({
    minimum: RETENTION_LIMITS.clipDays.min,
    maximum: RETENTION_LIMITS.clipDays.max,
    description: 'Days after the job ends before its clips are deleted',
  })
  @IsOptional()
  @IsInt({ message: CLIPDAYS_MESSAGE })
  @Min(RETENTION_LIMITS.clipDays.min, { message: CLIPDAYS_MESSAGE })
  @Max(RETENTION_LIMITS.clipDays.max, { message: CLIPDAYS_MESSAGE })
  clipDays?: number;
}

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

  @ApiPropertyOptional({
    default: true,
    description:
      'false runs every stage afresh even when the same API key already had identical content analysed',
  })
  @IsOptional()
  @IsBoolean()
  reuse?: boolean;

  @ApiPropertyOptional({ type: RetentionOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RetentionOptionsDto)
  retention?: RetentionOptionsDto;
}

/** Fills defaults and checks the rule that spans two fields. */
export function resolveJobOptions(dto: JobOptionsDto | null | undefined): JobOptions {
  const { retention, ...rest } = dto ?? {};
  const opts: JobOptions = { ...DEFAULT_JOB_OPTIONS, ...stripUndefined(rest) };
  // Plain object, not the DTO instance: options are stored as JSON and compared.
  if (retention) opts.retention = stripUndefined({ ...retention }) as JobOptions['retention'];
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
