import { Logger } from '@nestjs/common';

/** Socket and stream failures a client can cause by breaking its own request. */
const CLIENT_STREAM_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_STREAM_PUSH_AFTER_EOF',
  'ERR_STREAM_UNABLE_TO_PIPE',
  'HPE_INVALID_CHUNK_SIZE',
  'HPE_INVALID_CONSTANT',
  'HPE_UNEXPECTED_CONTENT_LENGTH',
]);

/** Errors busboy and Node's HTTP layer emit on malformed or cut-off request bodies. */
const CLIENT_STREAM_MESSAGES =
  /^(Unexpected end of (form|file)|Malformed (part header|urlencoded form)|Multipart: Boundary not found|aborted|Parse Error)/;

export function isRequestStreamError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CLIENT_STREAM_CODES.has(code)) return true;
  if (CLIENT_STREAM_MESSAGES.test(err.message)) return true;
  return /[\\/]node_modules[\\/]busboy[\\/]/.test(err.stack ?? '');
}

/**
 * The last line of defence: a stream error from a client's request that some
 * code path forgot to listen for is logged and the process keeps serving
 * everyone else. Anything else is a bug with unknown state behind it, so the
 * process still exits (and is restarted) as Node would.
 */
export function processSafetyNet(
  log: Pick<Logger, 'error'> = new Logger('Process'),
  exit: (code: number) => void = (code) => process.exit(code),
): (err: unknown) => void {
  return (err: unknown) => {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (isRequestStreamError(err)) {
      log.error(`unhandled stream error from a client request, ignored: ${text}`);
      return;
    }
    log.error(`uncaught exception, exiting: ${text}`);
    exit(1);
  };
}

export function installProcessSafetyNet(): void {
  process.on('uncaughtException', processSafetyNet());
}
