/**
 * Bad input (corrupt file, unsupported codec): retrying cannot help, so the
 * stage fails at once and `message` is shown to the user. Everything else is
 * treated as transient and retried with backoff.
 */
export class BadInputError extends Error {
  readonly badInput = true;
  constructor(message: string) {
    super(message);
    this.name = 'BadInputError';
  }
}

/** Works across package copies and process boundaries, where instanceof does not. */
export function isBadInputError(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { badInput?: unknown }).badInput === true
  );
}

/**
 * The installation is set up wrongly (a refused API key, a missing model):
 * every retry would fail the same way until an operator changes the
 * configuration, so the stage fails at once and says what to fix.
 */
export class ConfigurationError extends Error {
  readonly configuration = true;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** Works across package copies and process boundaries, where instanceof does not. */
export function isConfigurationError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { configuration?: unknown }).configuration === true
  );
}

/** Retrying cannot help: the input or the configuration must change first. */
export function isPermanentError(err: unknown): boolean {
  return isBadInputError(err) || isConfigurationError(err);
}

/**
 * S3, Postgres or Redis could not be reached. It says nothing about the job,
 * so it is retried on a time budget without using up the job's attempts.
 */
export class InfrastructureError extends Error {
  readonly infrastructure = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTCONN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// Postgres SQLSTATEs: 08 connection exception, 57P01-03 shutdown/restart, 53300 too many connections.
const PG_CODES = /^(08...|57P0[123]|53300)$/;

const S3_RETRYABLE_NAMES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ThrottlingException',
]);

const MESSAGES = [
  /socket hang up/i,
  /Connection terminated/i,
  /connection timeout/i,
  /timeout exceeded when trying to connect/i,
  /Connection is closed/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /Client has encountered a connection error/i,
  /Reached the max retries per request limit/i,
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN)\b/,
];

/**
 * True when an error means a service we depend on is unreachable or
 * overloaded (not that the job is wrong). Looks through wrappers: `cause`,
 * TypeORM's `driverError`, and AggregateError's `errors` (a refused connect
 * to a name with IPv4 and IPv6 addresses).
 */
export function isInfrastructureError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  if (isPermanentError(err)) return false;
  const e = err as {
    infrastructure?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
    driverError?: unknown;
    errors?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e.infrastructure === true) return true;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || PG_CODES.test(e.code)))
    return true;
  if (typeof e.name === 'string' && S3_RETRYABLE_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (typeof e.message === 'string' && MESSAGES.some((re) => re.test(e.message as string)))
    return true;
  const inner = [e.cause, e.driverError, ...(Array.isArray(e.errors) ? e.errors : [])];
  return inner.some((i) => i !== err && isInfrastructureError(i, depth + 1));
}

/** How a failure is classified where it arises, so it can be stored and rebuilt elsewhere. */
export type ErrorKind = 'bad_input' | 'configuration' | 'infrastructure' | 'error';

export function errorKind(err: unknown): ErrorKind {
  if (isBadInputError(err)) return 'bad_input';
  if (isConfigurationError(err)) return 'configuration';
  return isInfrastructureError(err) ? 'infrastructure' : 'error';
}

/**
 * The error of a stored kind, for a failure that crossed a process boundary
 * (a part another worker ran): the runner then decides as if it arose here.
 * An unknown or missing kind is transient, the same as any unclassified error.
 */
export function errorOfKind(kind: string | null | undefined, message: string): Error {
  switch (kind) {
    case 'bad_input':
      return new BadInputError(message);
    case 'configuration':
      return new ConfigurationError(message);
    case 'infrastructure':
      return new InfrastructureError(message);
    default:
      return new Error(message);
  }
}
