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
  sendFile(path: string, opts?: { headers: Record<string, string> }): void;
  setHeader(name: string, value: string): void;
}

/** index.html names the current hashed bundles: it must be revalidated, or an upgrade shows a blank page. */
const NO_CACHE = { 'Cache-Control': 'no-cache' };
const HASHED_ASSET = /[/\\]assets[/\\]/;

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
  app.useStaticAssets(root, {
    index: 'index.html',
    // Vite names bundles by content hash: a new build never reuses a name.
    setHeaders: (res: SpaResponse, path: string) =>
      res.setHeader(
        'Cache-Control',
        HASHED_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ),
  });
  app.use((req: SpaRequest, res: SpaResponse, next: () => void) => {
    if (req.method !== 'GET' || API_PATHS.test(req.path) || !req.accepts('html')) return next();
    res.sendFile(index, { headers: NO_CACHE });
  });
  return true;
}
