import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : value === true || value === 'true' || value === '1';

/**
 * Every environment variable Clipline reads. `.env.example` documents the same
 * list; `docs/configuration.md` explains each one.
 */
export class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  /** `json` (one JSON object a line, the default) or `pretty` (readable, for a terminal). */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  /** A worker's Prometheus endpoint (`GET /metrics`); unset: none. 0 picks a free port. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/clipline';

  /** Size of each process's Postgres connection pool; N processes need about N × this. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DB_POOL_MAX = 10;

  @IsString()
  @MinLength(1)
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Bull key prefix: separate installations (and test runs) on one Redis. */
  @IsString()
  @MinLength(1)
  QUEUE_PREFIX = 'clipline';

  @IsUrl({ require_tld: false, require_protocol: true })
  S3_ENDPOINT = 'http://127.0.0.1:4569';

  /** Endpoint used in presigned URLs handed to browsers and curl, when it differs from S3_ENDPOINT. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  S3_PUBLIC_ENDPOINT?: string;

  @IsString()
  @MinLength(1)
  S3_REGION = 'us-east-1';

  @IsString()
  @MinLength(3)
  S3_BUCKET = 'clipline';

  @IsString()
  @MinLength(1)
  S3_ACCESS_KEY_ID = 'S3RVER';

  @IsString()
  @MinLength(1)
  S3_SECRET_ACCESS_KEY = 'S3RVER';

  @Transform(toBool)
  @IsBoolean()
  S3_FORCE_PATH_STYLE = true;

  /** Lifetime of presigned URLs handed to ffmpeg and to clients. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  PRESIGN_TTL_SECONDS = 6 * 3600;

  /** Tries of one S3 request (the SDK's own short retry); longer outages are the stage runner's. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  S3_MAX_ATTEMPTS = 3;

  @IsString()
  @MinLength(1)
  MODEL_DIR = './models';

  @IsIn(['pocketsphinx', 'openai', 'whisper'])
  TRANSCRIPTION_ENGINE: 'pocketsphinx' | 'openai' | 'whisper' = 'pocketsphinx';

  /**
   * pocketsphinx search settings: `fast` (narrow beams, about 0.17× real time
   * on 2 cores) meets the speed target; `accurate` is pocketsphinx's defaults,
   * about 2.5× slower for somewhat fewer word errors.
   */
  @IsIn(['fast', 'accurate'])
  POCKETSPHINX_PRESET: 'fast' | 'accurate' = 'fast';

  /**
   * The caption tier: after segmenting, the render worker re-recognises each
   * selected segment (plus a margin) with this engine and uses those words for
   * burned captions and the VTT/SRT sidecars; the whole-source transcript
   * (TRANSCRIPTION_ENGINE) stays as it is. Unset: the transcription engine
   * (with CAPTION_PRESET); `off`: captions use the transcript's words.
   */
  @IsOptional()
  @IsIn(['off', 'pocketsphinx', 'openai', 'whisper'])
  CAPTION_ENGINE?: 'off' | 'pocketsphinx' | 'openai' | 'whisper';

  /** pocketsphinx search settings of the caption tier (see POCKETSPHINX_PRESET). */
  @IsIn(['fast', 'accurate'])
  CAPTION_PRESET: 'fast' | 'accurate' = 'accurate';

  /** Whisper export for the caption tier when CAPTION_ENGINE=whisper (default whisper-base.en). */
  @IsOptional()
  @IsString()
  CAPTION_WHISPER_MODEL?: string;

  /**
   * Audio chunks one transcription worker recognises at once (one engine
   * process each); default: the number of CPUs.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  TRANSCRIPTION_CONCURRENCY?: number;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  OPENAI_BASE_URL?: string;

  @IsOptional()
  @IsString()
  OPENAI_API_KEY?: string;

  @IsString()
  OPENAI_MODEL = 'whisper-1';

  /** Bull jobs one worker process runs at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_CONCURRENCY = 1;

  /** Multipart part size handed to clients. S3 needs ≥ 5 MiB for all but the last part. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(512)
  UPLOAD_PART_SIZE_MB = 16;

  @Transform(toInt)
  @IsNumber()
  @Min(1)
  UPLOAD_MAX_BYTES = 20 * 1024 ** 3;

  @Transform(toInt)
  @IsNumber()
  @Min(1)
  MAX_SOURCE_SECONDS = 4 * 3600;

  /**
   * Streaming uploads (multipart/form-data to POST /v1/jobs) one API process
   * takes at once; more answer 429 with Retry-After. Each holds about 10-15 MB
   * of part buffers, so this bounds the API's upload memory.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  UPLOAD_MAX_CONCURRENT = 2;

  /** Multipart uploads untouched for this long are aborted. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  UPLOAD_ABANDON_SECONDS = 24 * 3600;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  HEARTBEAT_SECONDS = 5;

  /** A running stage with no heartbeat for this long is taken back by the reconciler. */
  @Transform(toInt)
  @IsInt()
  @Min(3)
  STALL_SECONDS = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RECONCILE_INTERVAL_SECONDS = 10;

  /**
   * `/health` turns `degraded` when a stage has had no live worker for this
   * long while work waits for it. A worker is live while its registry
   * heartbeat (every HEARTBEAT_SECONDS) is less than 3 beats old.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WORKER_ABSENT_SECONDS = 60;

  /** Segmenting never selects a clip scoring below this (0–100), even if fewer clips result. */
  @Transform(toInt)
  @IsNumber()
  @Min(0)
  @Max(100)
  SEGMENT_MIN_SCORE = 45;

  /** Segmenting never selects a clip with more of its length in silence or music than this (0–1). */
  @Transform(toInt)
  @IsNumber()
  @Min(0)
  @Max(1)
  SEGMENT_MAX_NON_SPEECH_RATIO = 0.15;

  /** Tries per stage for transient errors (bad input never retries). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  STAGE_MAX_ATTEMPTS = 4;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  RETRY_BASE_DELAY_MS = 2000;

  /**
   * How long a stage keeps retrying when S3, Postgres or Redis is unreachable,
   * within one attempt (so an outage does not use up STAGE_MAX_ATTEMPTS).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  INFRA_RETRY_BUDGET_SECONDS = 900;

  /** Infrastructure failures in a row after which a worker stops taking work and probes. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  INFRA_BREAKER_THRESHOLD = 3;

  /** Longest wait between two probes of S3 and Postgres while the breaker is open. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  INFRA_PROBE_MAX_SECONDS = 30;

  /**
   * Finished Bull jobs kept per queue (for ops to inspect); older ones are
   * removed so Redis memory stays flat. Postgres keeps the full history.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  QUEUE_KEEP_COMPLETED = 200;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  QUEUE_KEEP_FAILED = 1000;

  /**
   * Transcription and layout split sources longer than 1.5× this into parts of
   * about this length, which every worker of the stage can take.
   */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  STAGE_PART_SECONDS = 600;

  /**
   * x264 threads per clip render; default three per CPU (at most 8), which
   * keeps both cores busy through x264's frame-thread stalls. Each thread
   * costs about 20 MB at 1080x1920; lower it to trade speed for memory.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  RENDER_THREADS?: number;

  /** Scratch space for renders; each render uses its own temp folder and removes it. */
  @IsOptional()
  @IsString()
  WORK_DIR?: string;

  /**
   * Webhooks may go to `http://` on loopback (127.0.0.0/8, ::1), for
   * development and tests. Off: only `https://` to public addresses.
   */
  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_ALLOW_HTTP_LOOPBACK = false;

  /**
   * Webhooks may go to private networks (10/8, 172.16/12, 192.168/16, 100.64/10
   * CGNAT, fc00::/7), e.g. a receiver inside the same VPC. Link-local (cloud
   * metadata), multicast and unspecified addresses are refused regardless.
   */
  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_NETWORKS = false;

  /** How often the API's webhook dispatcher looks for deliveries that are due. */
  @Transform(toInt)
  @IsInt()
  @Min(20)
  WEBHOOK_DISPATCH_INTERVAL_MS = 1000;

  /** First retry delay of a failed delivery; it doubles per attempt, at most 30 minutes. */
  @Transform(toInt)
  @IsNumber()
  @Min(0.01)
  WEBHOOK_RETRY_BASE_SECONDS = 10;

  /** A delivery still failing this long after its event is given up (status `failed`). */
  @Transform(toInt)
  @IsNumber()
  @Min(0.001)
  WEBHOOK_RETRY_MAX_HOURS = 24;

  /** Per delivery: connect, send and read the answer within this time. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30000)
  WEBHOOK_TIMEOUT_MS = 5000;

  /**
   * Preview stills (POST …/clips/:clipId/preview) one API instance renders at
   * once; more are answered 429. Each decodes a second of the source and
   * draws one 1080x1920 frame.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  PREVIEW_CONCURRENCY = 2;

  /** A preview still that takes longer is stopped and answered 503. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(120000)
  PREVIEW_TIMEOUT_MS = 20000;

  /**
   * Days after a job ends (completed, failed or cancelled) before its source
   * object is deleted; a job may ask for 1–90 (options.retention.sourceDays).
   * Same bounds as RETENTION_LIMITS in libs/contracts.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(90)
  RETENTION_SOURCE_DAYS = 7;

  /** Days after a job ends before its clips (video, thumbnail, captions) are deleted; 1–365. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  RETENTION_CLIP_DAYS = 30;

  /** How often the API's retention sweeper looks for expired objects. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  RETENTION_SWEEP_INTERVAL_SECONDS = 300;

  /** Where the API serves the web app's built files from, when present. */
  @IsOptional()
  @IsString()
  WEB_DIST_DIR?: string;

  /** ffmpeg binary; unset: /usr/bin's pair when both exist, else the npm build. Set with FFPROBE_PATH. */
  @IsOptional()
  @IsString()
  FFMPEG_PATH?: string;

  @IsOptional()
  @IsString()
  FFPROBE_PATH?: string;

  @IsString()
  @MinLength(1)
  POCKETSPHINX_BIN = 'pocketsphinx_continuous';

  @IsString()
  @MinLength(1)
  POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

  /** Silero VAD ONNX file; unset: the model shipped in @ricky0123/vad-web. */
  @IsOptional()
  @IsString()
  SILERO_VAD_MODEL?: string;

  /** Folder with DejaVuSans-Bold.ttf for burned captions; unset: libs/rendering/assets/fonts. */
  @IsOptional()
  @IsString()
  CLIPLINE_FONTS_DIR?: string;

  /** Version a worker reports in the registry; unset: package.json's (the image sets the build's). */
  @IsOptional()
  @IsString()
  CLIPLINE_VERSION?: string;
}

export type AppConfig = Readonly<EnvSchema>;
