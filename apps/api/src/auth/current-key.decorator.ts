import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { AuthenticatedKey } from './api-key.types';

export type AuthedRequest = IncomingMessage & { apiKey?: AuthenticatedKey };

export const CurrentKey = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedKey => {
    const key = ctx.switchToHttp().getRequest<AuthedRequest>().apiKey;
    // The global guard runs first; reaching here without a key is a wiring bug.
    if (!key) throw new Error('CurrentKey used on a route without authentication');
    return key;
  },
);
