import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from './metrics.service.js';

// Times every request until its answer is written, labelled by the route's template
// (`/api/inquiries/:id`, never the id itself) so that the number of series stays bounded.
export function httpMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const template = (req.route as { path?: string } | undefined)?.path;
      end({
        method: req.method,
        route: template ?? (req.path.startsWith('/admin') ? '/admin' : 'unmatched'),
        status: String(res.statusCode),
      });
    });
    next();
  };
}
