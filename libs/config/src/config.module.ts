import { Global, Module } from '@nestjs/common';
import { loadConfigOrExit } from './load-config';

export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({
  providers: [{ provide: APP_CONFIG, useFactory: () => loadConfigOrExit() }],
  exports: [APP_CONFIG],
})
export class ConfigModule {}
