import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { VIEW_SCHEMAS } from '../common/openapi/view-schemas';

export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Clipline API')
    .setDescription(
      'Upload long videos or podcasts, follow their processing, and fetch transcripts, analyses and rendered clips. ' +
        'Every /v1 route needs an API key: "Authorization: Bearer <key>" or "X-Api-Key: <key>". ' +
        'Errors are JSON: { statusCode, error, message }.',
    )
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The views are built from the contract types (view-schemas.ts), not from DTO classes.
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...VIEW_SCHEMAS },
  };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
