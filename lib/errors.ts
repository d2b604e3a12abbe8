import type { ZodError } from 'zod';

/** Errors that carry their HTTP meaning, so route handlers and the CLI map them in one place. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, body?: Record<string, unknown>) => new AppError(400, message, body);
export const unauthorized = (message = 'sign in or send Authorization: Bearer <token>') => new AppError(401, message);
export const forbidden = (message = 'admins only') => new AppError(403, message);
export const notFound = (message = 'not found') => new AppError(404, message);
export const conflict = (message: string, body?: Record<string, unknown>) => new AppError(409, message, body);

export function zodMessage(error: ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}
