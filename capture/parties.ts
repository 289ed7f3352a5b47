// The parties named in the text of a result: header-like lines of a mail, a meeting, a ticket or a
// file listing (`From: Ana <ana@x.example>`, `participants:` followed by `- bob@y.example` items,
// YAML or plain). A value found there says who the content is from or to; a later send to it is a
// reply or an invite, not a destination the content's words asked for. One pass over the lines, a
// bounded number of them.
import { isPartyKey } from './value.shapes.ts';

const MAX_LINES = 20_000;
/** `key: value`, `- key: value`, `"key": value`; the key a short run of letters, spaces, `_` or `-`. */
const HEADER = /^\s*(?:-\s+)?"?([A-Za-z][A-Za-z _-]{0,30})"?\s*:\s*(.*)$/;
const ITEM = /^\s*-\s+(.+)$/;

/** Calls `onValue` with each value that a party line of `text` holds. */
export function partyValues(text: string, onValue: (value: string) => void): void {
  let listOpen = false;
  let start = 0;
  for (let n = 0; n < MAX_LINES && start < text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    const item = listOpen ? ITEM.exec(line) : null;
    // `- id_: '31'` after a list of recipients is the next record, not another recipient.
    if (item && !HEADER.test(item[1]!)) {
      onValue(item[1]!.trim());
      continue;
    }
    const header = HEADER.exec(line);
    listOpen = false;
    if (!header || !isPartyKey(header[1]!)) continue;
    const value = header[2]!.trim();
    if (value === '' || value === '|' || value === '>') listOpen = true;
    else if (value !== '[]') onValue(value);
  }
}
