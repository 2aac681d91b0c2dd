import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { EnvSchema, type AppConfig } from './env.schema';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function describe(errors: ValidationError[], raw: Record<string, string>): string {
  // Show what the user wrote, not the value after conversion (NaN prints as null).
  return errors
    .map(
      (e) =>
        `  ${e.property}=${JSON.stringify(raw[e.property] ?? e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    )
    .join('\n');
}

/**
 * Validates the environment once at boot. A bad value stops the process with
 * a message naming the variable, instead of failing later in a job.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new EnvSchema());
  const plain: Record<string, string> = {};
  for (const key of known) {
    const v = env[key];
    if (v !== undefined && v !== '') plain[key] = v;
  }
  const instance = plainToInstance(EnvSchema, plain, { exposeDefaultValues: true });
  const errors = validateSync(instance, {
    skipMissingProperties: false,
    forbidUnknownValues: false,
  });
  if (errors.length) {
    throw new ConfigError(`Invalid configuration:\n${describe(errors, plain)}`);
  }
  return Object.freeze(instance);
}

/** For main.ts: print the config error plainly and exit, instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
