// zod pieces shared by the route plugins: filter parameters, pagination, ids. Every filter string is
// bounded (a 100 KB value is a 400, not a 100 KB literal in a ClickHouse query).
import { z } from 'zod';
import { CURSOR_PATTERN } from './queries/cursor.ts';

// Past this (2100-01-01) DateTime columns overflow; later bounds mean "no bound" and are clamped.
const MAX_MS = 4_102_444_800_000;

export const filterString = (what: string) => z.string().min(1).max(256).describe(what);

export const timeParam = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .describe(what)
    .transform((s) => Math.min(Math.max(Date.parse(s), 0), MAX_MS));

export const limitParam = z.coerce.number().int().min(1).max(500).default(50).describe('Page size');
export const cursorParam = z.string().regex(CURSOR_PATTERN).optional().describe('next_cursor of the previous page (opaque)');

export const sha256Id = (what: string) => z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits').describe(what);

export const isoTime = z.string().describe('RFC 3339 time, UTC, millisecond precision');
export const toIso = (ms: string | number): string => new Date(Number(ms)).toISOString();

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  });
