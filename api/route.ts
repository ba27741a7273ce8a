import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z, type ZodType } from 'zod';
import { AppError } from '../lib/errors';
import { checkAccess, type Access } from './auth';
import { zodDetails } from './errors';

export interface RouteSpec<P extends ZodType, Q extends ZodType, B extends ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path, e.g. `/api/entrants/:id`. */
  path: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Status → description of the success answers; errors share one documented shape. */
  responses?: Record<number, string>;
}

export interface Parsed<P extends ZodType, Q extends ZodType, B extends ZodType> {
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
}

const errorShape = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

function parse<T extends ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    throw new AppError(
      'ValidationFailed',
      `the request ${where} is not valid`,
      zodDetails(r.error).map((d) => ({ ...d, path: d.path ? `${where}.${d.path}` : where })),
    );
  }
  return r.data;
}

/**
 * Every endpoint is declared through here: its access rule, its schemas (which both
 * validate the request and document it in /api/openapi.json), then its handler.
 */
export class Routes {
  readonly registry = new OpenAPIRegistry();

  constructor(private readonly router: Router) {
    this.registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  }

  add<P extends ZodType = ZodType, Q extends ZodType = ZodType, B extends ZodType = ZodType>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: Parsed<P, Q, B>, req: Request, res: Response) => Promise<unknown> | unknown,
  ): void {
    this.document(spec);
    this.router[spec.method](spec.path, async (req: Request, res: Response) => {
      checkAccess(req, spec.access);
      const input: Parsed<P, Q, B> = {
        params: parse(spec.params, req.params, 'path'),
        query: parse(spec.query, req.query, 'query'),
        body: parse(spec.body, req.body, 'body'),
      };
      const result = await handler(input, req, res);
      if (!res.headersSent) {
        if (result === undefined) res.status(204).end();
        else res.status(spec.method === 'post' && spec.responses?.[201] ? 201 : 200).json(result);
      }
    });
  }

  private document(spec: RouteSpec<ZodType, ZodType, ZodType>): void {
    const responses: RouteConfig['responses'] = {};
    for (const [status, description] of Object.entries(spec.responses ?? { 200: 'OK' })) responses[status] = { description };
    for (const [status, description] of [
      [400, 'invalid input, with field details'],
      [401, 'not logged in'],
      [403, 'not allowed for this role or scope'],
      [404, 'not found'],
      [409, 'refused in the current state, with the reason'],
    ] as const) {
      responses[status] = { description, content: { 'application/json': { schema: errorShape } } };
    }
    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:([A-Za-z]+)/g, '{$1}'),
      summary: spec.summary,
      tags: spec.tags,
      security: spec.access === 'public' ? [] : [{ bearer: [] }],
      description: spec.access === 'public' ? 'Public.' : spec.access === 'authenticated' ? 'Any logged-in account.' : `Roles: ${spec.access.join(', ')}.`,
      request: {
        params: spec.params as RouteConfig['request'] extends infer R ? (R extends { params?: infer X } ? X : never) : never,
        query: spec.query as RouteConfig['request'] extends infer R ? (R extends { query?: infer X } ? X : never) : never,
        body: spec.body ? { content: { 'application/json': { schema: spec.body } } } : undefined,
      },
      responses,
    });
  }

  openapi(): unknown {
    return new OpenApiGeneratorV31(this.registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: { title: '网络学习空间交流展示活动 API', version: '1.0.0', description: 'Learning-space showcase: registration, review, voting, results.' },
    });
  }
}
