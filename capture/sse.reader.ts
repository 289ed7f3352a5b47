// Reads a Server-Sent Events stream as it passes, handing each event's data (its `data:` lines
// joined by newlines) to `onEvent` through a BodyInspector, so an event of any size is hashed and
// sized, and parsed only within the inspection budget. Lines may end in LF, CRLF or CR.
import { BodyInspector, DEFAULT_INSPECT_BYTES, type BodyHashing, type InspectedBody } from './body.inspector.ts';

const LF = 0x0a;
const CR = 0x0d;
const DATA = Buffer.from('data:');

export interface SseReader {
  write(chunk: Buffer): void;
  /** The stream ended: an event without its closing blank line is not dispatched (as in browsers). */
  end(): void;
}

export function sseReader(onEvent: (data: InspectedBody) => void, hashing: BodyHashing, budget = DEFAULT_INSPECT_BYTES): SseReader {
  let event: BodyInspector | null = null;
  /** Bytes of the current line seen so far while its field name is not known yet (at most 6). */
  let head: number[] = [];
  let mode: 'head' | 'data' | 'skip' = 'head';
  let afterCr = false;

  const startData = () => {
    if (event) event.write(Buffer.from('\n'));
    else event = new BodyInspector(hashing, budget);
  };
  const endLine = () => {
    if (mode === 'head') {
      if (head.length === 0) {
        // A blank line dispatches the event.
        if (event) onEvent(event.end());
        event = null;
      } else if (head.length >= 4) startData(); // `data` or `data:` alone: an empty data line
    }
    head = [];
    mode = 'head';
  };

  return {
    write(chunk) {
      let i = 0;
      while (i < chunk.length) {
        const b = chunk[i]!;
        if (afterCr) {
          afterCr = false;
          if (b === LF) {
            i++;
            continue;
          }
        }
        if (b === LF || b === CR) {
          endLine();
          afterCr = b === CR;
          i++;
          continue;
        }
        if (mode === 'data' || mode === 'skip') {
          // The rest of the line up to its end, in one piece.
          let end = chunk.indexOf(LF, i);
          const cr = chunk.indexOf(CR, i);
          if (cr >= 0 && (end < 0 || cr < end)) end = cr;
          if (end < 0) end = chunk.length;
          if (mode === 'data') event!.write(chunk.subarray(i, end));
          i = end;
          continue;
        }
        head.push(b);
        i++;
        if (head.length <= DATA.length) {
          // Another field (`id:`, `event:`, `retry:`) or a comment (`:`): not data.
          if (b !== DATA[head.length - 1]) mode = 'skip';
          continue;
        }
        // The byte after `data:`; one space there is not part of the value.
        startData();
        mode = 'data';
        if (b !== 0x20) event!.write(Buffer.from([b]));
      }
    },
    end() {
      event = null;
    },
  };
}
