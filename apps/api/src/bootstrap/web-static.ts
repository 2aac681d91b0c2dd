import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The slice of express's request and response the fallback uses. */
interface SpaRequest {
  method: string;
  path: string;
  accepts(type: string): string | false;
}
interface SpaResponse {
  sendFile(path: string): void;
}

const API_PATHS = /^\/(v1|docs|docs-json|health|metrics|socket\.io)(\/|$)/;

/**
 * Serves the web app's build when WEB_DIST_DIR points at one, with index.html
 * for client-side routes. Without a build the API runs as before.
 */
export function serveWebApp(app: NestExpressApplication, dir: string | undefined): boolean {
  if (!dir) return false;
  const root = resolve(dir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) return false;
  app.useStaticAssets(root, { index: 'index.html', maxAge: '1h' });
  app.use((req: SpaRequest, res: SpaResponse, next: () => void) => {
    if (req.method !== 'GET' || API_PATHS.test(req.path) || !req.accepts('html')) return next();
    res.sendFile(index);
  });
  return true;
}
