import { Module } from '@nestjs/common';
import { PipelineModule } from '@clipline/pipeline';
import { SilenceProcessor } from './silence.processor';

@Module({ imports: [PipelineModule.forRoot()], providers: [SilenceProcessor] })
export class SilenceWorkerModule {}
