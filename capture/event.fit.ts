// Shrinks an audit event until its JSON fits the largest size the producer sends, so no call is
// ever left without an event because of what it carried. The steps always run in the same order,
// each only while the event is still too big, so the same call always gives the same event:
// tool descriptions first (their hashes stay), then the argument preview, then the result's value
// fingerprints (v2), then the extracted targets (each shortened, then the lists halved), then the
// argument fingerprints, then the tool list, then the destination fingerprints, which provenance
// needs most; last, all of them go. Every other field of an event has a small fixed bound, so
// after the last step it fits.

/** The parts of an event (v1 or v2) that can grow with what a call carried. */
export interface FittableEvent {
  arguments?: { preview: string };
  resource?: Partial<Record<string, string[]>>;
  tools?: { name: string; description?: string; description_sha256: string }[];
  /** v2: keyed value fingerprints; every list may be emptied. */
  fingerprints?: { arguments: string[]; result: string[]; destinations: string[] };
}

/** Longest kept entry of a resource list once the event had to shrink. */
const SHORT_ENTRY = 256;
/** Longest argument preview once the event had to shrink. */
const SHORT_PREVIEW = 256;

export const truncateText = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`);

const halve = <T>(list: T[]) => list.slice(0, Math.floor(list.length / 2));

/** What `fitEvent` had to cut, in order, for the log; empty when the event fitted as it was. */
export type FitCut =
  | 'tool_descriptions'
  | 'preview'
  | 'result_fingerprints'
  | 'resource_entries'
  | 'resource_lists'
  | 'argument_fingerprints'
  | 'tools'
  | 'destination_fingerprints'
  | 'everything';

type FingerprintList = keyof NonNullable<FittableEvent['fingerprints']>;

/** Shrinks `event` in place until its JSON is at most `maxBytes` bytes; returns what was cut. */
export function fitEvent<E extends FittableEvent>(event: E, maxBytes: number): FitCut[] {
  const cuts: FitCut[] = [];
  const fits = () => Buffer.byteLength(JSON.stringify(event)) <= maxBytes;
  const lists = () => Object.values(event.resource ?? {}).filter((l): l is string[] => Array.isArray(l));
  /** Halves one fingerprint list until the event fits or the list is empty; true when it fits. */
  const shrinkFingerprints = (list: FingerprintList, cut: FitCut) => {
    const fp = event.fingerprints;
    if (!fp?.[list].length) return false;
    cuts.push(cut);
    while (fp[list].length > 0) {
      fp[list] = halve(fp[list]);
      if (fits()) return true;
    }
    return false;
  };
  if (fits()) return cuts;

  if (event.tools?.some((t) => t.description !== undefined)) {
    event.tools = event.tools.map(({ name, description_sha256 }) => ({ name, description_sha256 }));
    cuts.push('tool_descriptions');
    if (fits()) return cuts;
  }
  if (event.arguments && event.arguments.preview.length > SHORT_PREVIEW) {
    event.arguments.preview = truncateText(event.arguments.preview, SHORT_PREVIEW);
    cuts.push('preview');
    if (fits()) return cuts;
  }
  if (shrinkFingerprints('result', 'result_fingerprints')) return cuts;
  if (event.resource) {
    for (const [k, l] of Object.entries(event.resource)) if (l) event.resource[k] = [...new Set(l.map((v) => truncateText(v, SHORT_ENTRY)))];
    cuts.push('resource_entries');
    if (fits()) return cuts;
    cuts.push('resource_lists');
    while (lists().some((l) => l.length > 1)) {
      for (const [k, l] of Object.entries(event.resource)) if (l && l.length > 1) event.resource[k] = halve(l);
      if (fits()) return cuts;
    }
  }
  if (shrinkFingerprints('arguments', 'argument_fingerprints')) return cuts;
  if (event.tools?.length) {
    cuts.push('tools');
    while (event.tools.length > 0) {
      event.tools = halve(event.tools);
      if (fits()) return cuts;
    }
  }
  if (shrinkFingerprints('destinations', 'destination_fingerprints')) return cuts;
  // Nothing variable is left but one target per list and the short preview: drop them too.
  delete event.resource;
  if (event.arguments) event.arguments.preview = '';
  if (event.tools) event.tools = [];
  if (event.fingerprints) event.fingerprints = { arguments: [], result: [], destinations: [] };
  cuts.push('everything');
  return cuts;
}
