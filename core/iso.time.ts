// Event times arrive as RFC 3339 text; the detector and ingest turn every one into epoch
// milliseconds. `Date.parse` handles every form but costs about as much as a rule evaluation, so the
// common UTC form (`2026-11-30T18:42:20.123Z`, any number of fraction digits) is read digit by digit
// and everything else (offsets, no fraction separator quirks, invalid text) goes to `Date.parse`.

/** Epoch milliseconds of an RFC 3339 / ISO 8601 time; NaN when it is not one. */
export function isoToMs(text: string): number {
  const n = text.length;
  // YYYY-MM-DDTHH:MM:SS then Z, or .fraction then Z.
  if (n < 20 || text.charCodeAt(n - 1) !== 90 /* Z */ || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return Date.parse(text);
  if (text.charCodeAt(10) !== 84 /* T */) return Date.parse(text);
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  let ms = 0;
  if (n > 20) {
    if (text.charCodeAt(19) !== 46 /* . */ || n === 21) return Date.parse(text);
    // Milliseconds from the first three fraction digits (fewer: scaled up); the rest must be digits.
    if (digits(text, 20, n - 21) < 0) return Date.parse(text);
    ms = digits(text, 20, Math.min(3, n - 21)) * (n - 21 >= 3 ? 1 : n - 21 === 2 ? 10 : 100);
  } else if (n !== 20) return Date.parse(text);
  if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1 || day > 28 + 3 || hour > 23 || minute > 59 || second > 59) return Date.parse(text);
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 February over into March; Date.parse refuses it: keep its answer.
  return day > 28 && new Date(t).getUTCDate() !== day ? Date.parse(text) : t;
}

/** The decimal number in text[at, at + count), or -1 when a character is not a digit. */
function digits(text: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
