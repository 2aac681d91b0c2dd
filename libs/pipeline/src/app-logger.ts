import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { hostname } from 'node:os';
import { loadConfig } from '@clipline/config';

/** Nest's level names mapped onto pino's. */
const PINO_LEVEL: Record<string, pino.Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest's start-up chatter (one line per module and route) hides the lines that
 * matter; it stays available at debug level.
 */
const STARTUP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'WebSocketsController',
]);

let root: Logger | undefined;

/** LOG_LEVEL from the validated config; a bad config is reported by the process's bootstrap, not here. */
function configuredLevel(): string {
  try {
    return loadConfig().LOG_LEVEL;
  } catch {
    return 'log';
  }
}

/** The validated config's logging settings (AppConfig fits). */
export interface LogSettings {
  LOG_LEVEL?: string;
  LOG_FORMAT?: string;
}

/**
 * The process's one pino logger: JSON lines on stdout (LOG_FORMAT=json, the
 * default, for log shippers and the `npm start` launcher, which pretty-prints
 * them) or pino-pretty output (LOG_FORMAT=pretty). Every line carries `app`.
 */
export function initAppLogger(app: string, cfg: LogSettings = {}): Logger {
  const level = PINO_LEVEL[cfg.LOG_LEVEL ?? 'log'] ?? 'info';
  const base = { app, worker: `${hostname()}:${process.pid}` };
  root =
    cfg.LOG_FORMAT === 'pretty'
      ? pino({
          level,
          base,
          transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname', sync: true } },
        })
      : pino({ level, base }, pino.destination({ sync: true }));
  return root;
}

/** The process logger; a plain JSON logger when the app never called initAppLogger (tests). */
export function appLogger(): Logger {
  root ??= pino({ level: PINO_LEVEL[configuredLevel()] ?? 'info' });
  return root;
}

/** Errors with their stack as pino's standard `err` field. */
function errFields(trace: unknown): Record<string, unknown> {
  if (trace instanceof Error) return { err: trace };
  return typeof trace === 'string' && trace.includes('\n    at ') ? { err: { stack: trace } } : {};
}

/** Nest's LoggerService on top of the pino logger, so framework and app lines share one format. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger = appLogger()) {}

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    let context: string | undefined;
    if (typeof rest[rest.length - 1] === 'string') context = rest.pop() as string;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (level === 'error' && rest.length) Object.assign(fields, errFields(rest[0]));
    if (level === 'info' && context && STARTUP_CONTEXTS.has(context)) level = 'debug';
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (message && typeof message === 'object') {
      this.logger[level]({ ...fields, ...message });
    } else {
      this.logger[level](fields, String(message));
    }
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
  setLogLevels(levels: LogLevel[]): void {
    const order: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error'];
    const lowest = order.find((l) => levels.includes(l));
    if (lowest) this.logger.level = PINO_LEVEL[lowest] ?? 'info';
  }
}
