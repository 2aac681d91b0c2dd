import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { MeView } from '@clipline/contracts';
import { ApiView } from '../common/openapi/api-view.decorator';
import type { AuthenticatedKey } from './api-key.types';
import { CurrentKey } from './current-key.decorator';

@ApiTags('auth')
@ApiSecurity('api-key')
@Controller('v1/me')
export class MeController {
  @Get()
  @ApiOperation({
    summary: "The calling key: its id, name and role (clients show ops tools only to 'ops')",
  })
  @ApiView('MeView')
  me(@CurrentKey() key: AuthenticatedKey): MeView {
    return { id: key.id, name: key.name, role: key.role };
  }
}
