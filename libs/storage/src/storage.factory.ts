import type { AppConfig } from '@clipline/config';
import { StorageService } from './storage.service';

export function storageFromConfig(cfg: AppConfig): StorageService {
  return new StorageService({
    endpoint: cfg.S3_ENDPOINT,
    publicEndpoint: cfg.S3_PUBLIC_ENDPOINT,
    region: cfg.S3_REGION,
    bucket: cfg.S3_BUCKET,
    accessKeyId: cfg.S3_ACCESS_KEY_ID,
    secretAccessKey: cfg.S3_SECRET_ACCESS_KEY,
    forcePathStyle: cfg.S3_FORCE_PATH_STYLE,
    presignTtlSeconds: cfg.PRESIGN_TTL_SECONDS,
    maxAttempts: cfg.S3_MAX_ATTEMPTS,
  });
}
