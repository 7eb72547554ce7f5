// A route of the dashboard API, declared once: its method and path, what it takes (query and
// body schemas, which validate the request) and answers (status, response schema, errors), and
// its handler. The router serves the declarations and the OpenAPI document is generated from the
// same ones (openapi.ts), so what is served and what is documented cannot drift apart.
import type { Request, Response } from '@sms-inbox/http';
import { invalid } from '@sms-inbox/platform';
import type { z } from 'zod';
import type { Session } from './session-token.js';

export type Method = 'get' | 'put' | 'post';

type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteContext<Q, B> {
  req: Request;
  res: Response;
  /** The verified session; absent only on routes with `auth: false`. */
  session: Session;
  query: Q;
  body: B;
}

export interface ApiRoute<
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
> {
  method: Method;
  /** Express form (`/v1/conversations/:id`). */
  path: string;
  summary: string;
  /** Whether a session token is required (default true). */
  auth?: boolean;
  query?: Q;
  body?: B;
  /** The success status (default 200). */
  status?: 200 | 202;
  /** The success body's schema (JSON unless `contentType` says otherwise). */
  response?: z.ZodType;
  contentType?: string;
  /** Error statuses besides those of every authenticated route (401, 429, 503, 504). */
  errors?: number[];
  /** The body to answer with `status`, or undefined when the handler answered itself (streams). */
  handle(context: RouteContext<Parsed<Q>, Parsed<B>>): Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list holds routes of every query and body type
export type AnyRoute = ApiRoute<any, any>;

/** Declares a route, typing its handler's query and body by its schemas. */
export const defineRoute = <
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  route: ApiRoute<Q, B>,
): AnyRoute => route as AnyRoute;

/** Validates `value` with `schema`; 400 `invalid_request` with the issues when it does not fit. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw invalid('invalid_request', 'the request is not valid', {
      details: { issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return result.data;
}
