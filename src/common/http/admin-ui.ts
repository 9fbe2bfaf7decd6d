import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

export const ADMIN_PATH = '/admin';

// The project root: the nearest folder above this module with a package.json (dist/src/… when
// built, src/… under the tests).
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no package.json above the application');
    dir = parent;
  }
  return dir;
}

export const adminDistDir = () => path.join(projectRoot(), 'admin', 'dist');

// The caseworkers' UI (admin/, built by Vite) at /admin, from the same origin as the API so the
// session cookie and CSRF check apply unchanged. Hashed assets are cached for good; index.html
// is revalidated, so a deploy reaches every browser on its next load. The UI has no data of its
// own: everything it shows comes from the API, behind the same guard as any client.
export function serveAdminUi(app: NestExpressApplication, logger: Logger): void {
  const dir = adminDistDir();
  const http = app.getHttpAdapter().getInstance();
  http.get('/', (_req: unknown, res: { redirect: (status: number, to: string) => void }) =>
    res.redirect(302, `${ADMIN_PATH}/`),
  );
  if (!existsSync(path.join(dir, 'index.html'))) {
    logger.warn({ dir }, 'the admin UI is not built (npm run build:admin); /admin answers 503');
    http.use(
      ADMIN_PATH,
      (
        _req: unknown,
        res: { status: (n: number) => { type: (t: string) => { send: (b: string) => void } } },
      ) =>
        res
          .status(503)
          .type('text/plain')
          .send('The admin UI is not built: run `npm run build:admin`.\n'),
    );
    return;
  }
  app.useStaticAssets(dir, {
    prefix: `${ADMIN_PATH}/`,
    index: 'index.html',
    redirect: true,
    setHeaders: (res, file) => {
      res.setHeader(
        'Cache-Control',
        file.includes(`${path.sep}assets${path.sep}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      );
    },
  });
}
