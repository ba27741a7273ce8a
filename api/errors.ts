import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, ERROR_STATUS, isErrorKind, type ErrorKind } from '../lib/errors';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function body(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function zodDetails(err: ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Turns a Temporal refusal into the product's error kinds. */
export function fromTemporal(err: unknown): AppError | undefined {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && isErrorKind(cause.type)) return new AppError(cause.type, cause.message);
    return new AppError('Conflict', cause?.message ?? 'the update was refused');
  }
  if (err instanceof WorkflowNotFoundError) return new AppError('Conflict', 'this entry has already ended and takes no more decisions');
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return new AppError('ServiceUnavailable', 'the workflow service did not answer in time; try again');
  const grpc = err as { code?: number; details?: string };
  // gRPC NOT_FOUND: "workflow execution already completed".
  if (grpc?.code === 5) return new AppError('Conflict', 'this entry has already ended and takes no more decisions');
  if (grpc?.code === 14 || grpc?.code === 4) return new AppError('ServiceUnavailable', 'the workflow service is unavailable; try again');
  return undefined;
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json(body('NotFound', `no route ${req.method} ${req.path}`));
};

/** The one place that maps error kinds to HTTP statuses. Never a stack trace to the client. */
export function errorMiddleware(log: (msg: string, err: unknown) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: AppError | undefined;
    if (err instanceof AppError) e = err;
    else if (err instanceof ZodError) e = new AppError('ValidationFailed', 'the request is not valid', zodDetails(err));
    else if (err?.type === 'entity.parse.failed') e = new AppError('ValidationFailed', 'the body is not valid JSON');
    else if (err?.type === 'entity.too.large') e = new AppError('PayloadTooLarge', 'the body is too large');
    else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') e = new AppError('UnsupportedMediaType', 'unsupported body encoding');
    else e = fromTemporal(err);
    if (!e) {
      log(`unhandled error on ${req.method} ${req.path}`, err);
      res.status(500).json(body('Internal', 'something went wrong on our side; it has been logged'));
      return;
    }
    const status = ERROR_STATUS[e.kind as ErrorKind];
    if (e.kind === 'Unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(status).json(body(e.kind, e.message, e.details));
  };
}
