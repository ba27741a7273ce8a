import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { trustProxySetting } from '../lib/config';
import { authenticate } from './auth';
import type { ApiDeps } from './deps';
import { errorMiddleware, notFoundRoute } from './errors';
import { QUEUE_BOARD_PATH, queueBoard } from './queue-board';
import { Routes } from './route';
import { authRoutes } from './routes/auth';
import { campaignRoutes } from './routes/campaigns';
import { entrantRoutes } from './routes/entrants';
import { healthRoutes } from './routes/health';
import { regionRoutes } from './routes/regions';
import { auditRoutes } from './routes/audit';
import { mailRoutes } from './routes/mail';
import { reportRoutes } from './routes/reports';
import { resultRoutes } from './routes/results';
import { reviewRoutes } from './routes/review';
import { nominationRoutes } from './routes/nominations';
import { recommendationRoutes } from './routes/recommendations';
import { votingRoutes } from './routes/voting';
import { ui } from './ui';

/** Builds the Express app; server.ts listens. */
export function buildApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The client IP comes from the socket unless the peer is a configured proxy.
  app.set('trust proxy', trustProxySetting(deps.config.TRUST_PROXY));
  app.use(express.json({ limit: '256kb' }));
  app.use(cookieParser());
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  app.use(QUEUE_BOARD_PATH, queueBoard(deps)); // before authenticate: it checks its own session (province admin / auditor)
  app.use(ui(deps)); // the web UI's pages and assets (never /api, the queue board or /dev): no session needed to load them
  app.use(authenticate(deps.sessions));

  const router = express.Router();
  const routes = new Routes(router);
  healthRoutes(routes, deps);
  authRoutes(routes, deps);
  regionRoutes(routes, deps);
  campaignRoutes(routes, deps);
  entrantRoutes(routes, deps);
  mailRoutes(routes, deps);
  reportRoutes(routes, deps);
  resultRoutes(routes, deps);
  reviewRoutes(routes, deps);
  auditRoutes(routes, deps);
  recommendationRoutes(routes, deps);
  nominationRoutes(routes, deps);
  votingRoutes(routes, deps);
  app.use(router);

  app.use('/api', notFoundRoute);
  app.use(errorMiddleware(deps.log));
  return app;
}
