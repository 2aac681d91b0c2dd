import {
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { Catch } from '@nestjs/common';
import { OrchestrationError, type OrchestrationErrorKind } from '@clipline/pipeline';
import { STATUS_CODES, type ServerResponse } from 'node:http';

/** The pipeline says why it refused; HTTP codes exist only here, in the API. */
export function httpStatusOfKind(kind: OrchestrationErrorKind): number {
  switch (kind) {
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
      return HttpStatus.CONFLICT;
    case 'invalid':
      return HttpStatus.BAD_REQUEST;
    case 'gone':
      return HttpStatus.GONE;
  }
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** Every validation failure, when there were several. */
  details?: string[];
}

/** Every error leaves as JSON { statusCode, error, message }; internals are logged, not sent. */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      this.log.error((exception as Error)?.stack ?? String(exception));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.statusCode = body.statusCode;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const error = STATUS_CODES[statusCode] ?? 'Error';
      const r = exception.getResponse();
      const raw = typeof r === 'string' ? r : (r as { message?: unknown }).message;
      if (Array.isArray(raw)) {
        const details = raw.map(String);
        return { statusCode, error, message: details.join('; '), details };
      }
      return { statusCode, error, message: typeof raw === 'string' ? raw : exception.message };
    }
    if (exception instanceof OrchestrationError) {
      const statusCode = httpStatusOfKind(exception.kind);
      return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: exception.message };
    }
    // body-parser and other express middleware errors carry a status.
    const status = (exception as { status?: unknown; statusCode?: unknown }) ?? {};
    const code = Number(status.status ?? status.statusCode);
    if (code >= 400 && code < 500) {
      return {
        statusCode: code,
        error: STATUS_CODES[code] ?? 'Error',
        message: (exception as Error).message,
      };
    }
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'Internal Server Error',
      message: 'Something went wrong on our side; the error has been logged.',
    };
  }
}
