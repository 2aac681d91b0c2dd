import { ValidationPipe, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@clipline/config';
import { socketIoRedisKey } from '@clipline/contracts';
import { PinoNestLogger } from '@clipline/pipeline';
import type { Server } from 'node:http';
import { AppModule } from '../app.module';
import { JsonErrorFilter } from '../common/json-error.filter';
import { RedisIoAdapter } from '../events/redis-io.adapter';
import { setupSwagger } from './swagger.setup';
import { serveWebApp } from './web-static';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** Everything main.ts does except listening, so tests run the same app in-process. */
export async function createApiApp(cfg: AppConfig): Promise<NestExpressApplication> {
  const logger = new PinoNestLogger();
  logger.setLogLevels(LEVELS.slice(0, LEVELS.indexOf(cfg.LOG_LEVEL as LogLevel) + 1));
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger });
  app.enableShutdownHooks();
  app.enableCors({ origin: true, exposedHeaders: ['ETag'] });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useGlobalFilters(new JsonErrorFilter());
  const io = new RedisIoAdapter(app, cfg.REDIS_URL, socketIoRedisKey(cfg.QUEUE_PREFIX));
  await io.connect();
  app.useWebSocketAdapter(io);
  setupSwagger(app);
  serveWebApp(app, cfg.WEB_DIST_DIR);
  // Node's default 5-minute request timeout would cut long streaming uploads.
  (app.getHttpServer() as Server).requestTimeout = 0;
  return app;
}
