import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyRole } from '@clipline/database';
import { ApiKeysService } from './api-keys.service';
import type { AuthedRequest } from './current-key.decorator';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

export function keyFromHeaders(headers: AuthedRequest['headers']): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth))
    return auth.replace(/^Bearer\s+/i, '').trim();
  const x = headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : null;
}

/** Global guard: every REST route needs a key unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const presented = keyFromHeaders(req.headers);
    if (!presented) {
      throw new UnauthorizedException(
        'An API key is required: send "Authorization: Bearer <key>" or "X-Api-Key: <key>".',
      );
    }
    const key = await this.keys.verify(presented);
    if (!key) throw new UnauthorizedException('The API key is not valid or has been revoked.');
    req.apiKey = key;
    const roles = this.reflector.getAllAndOverride<ApiKeyRole[] | undefined>(ROLES_KEY, targets);
    if (roles?.length && !roles.includes(key.role)) {
      throw new ForbiddenException(`This endpoint needs one of the roles: ${roles.join(', ')}.`);
    }
    return true;
  }
}
