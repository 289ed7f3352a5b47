// The one error shape of the API: RFC 9457 problem details (application/problem+json), for every
// error the API answers — validation, 401/403, 404, 405, 413, 429, 503 and the unexpected 500.
import { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem'),
    title: z.string().describe('Short summary of the kind of problem'),
    status: z.number().int().describe('The HTTP status code'),
    detail: z.string().describe('What went wrong with this request'),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('Validation problems, one per field'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, detail: string, errors?: Problem['errors']): Problem {
  const title = TITLES[status] ?? 'Error';
  return {
    type: `https://mcp-audit.dev/problems/${title.toLowerCase().replaceAll(' ', '-')}`,
    title,
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

/** Thrown by handlers and hooks; the error handler turns it into a problem response. */
export class HttpProblem extends Error {
  readonly statusCode: number;
  readonly errors: Problem['errors'];
  readonly headers: Record<string, string>;
  constructor(status: number, detail: string, opts: { errors?: Problem['errors']; headers?: Record<string, string> } = {}) {
    super(detail);
    this.statusCode = status;
    this.errors = opts.errors;
    this.headers = opts.headers ?? {};
  }
}

const asContent = { content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };

/** Response schemas of the errors a route can answer, keyed by status, for its `schema.response`. */
export function problemResponses(...statuses: number[]): Record<number, typeof asContent> {
  return Object.fromEntries(statuses.map((s) => [s, { ...asContent, description: TITLES[s] ?? 'Error' }]));
}

/** The errors every authenticated route can answer. */
export const AUTHED_ERRORS = [400, 401, 403, 429, 500] as const;
