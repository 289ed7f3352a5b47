// Instructions aimed at the agent, found in what a tool returned: the mark of prompt injection
// through tool output (threat #1). A mail, web page, review or file that tells "the AI assistant" to
// ignore its task, to act before answering, or to keep something from the user is not ordinary
// content, whoever wrote it. Capture reports which kinds of marker it saw (never the text); the
// detector joins that with what the agent does next.
//
// The markers are generic shapes of injected text from the public literature and benchmarks (an
// override of earlier instructions, an address to the model, a hijack of the current task, secrecy
// towards the user, made-up system or instruction tags, invisible characters), not one benchmark's
// template. Every pattern is a plain alternation with bounded gaps, so the scan is linear in the
// text, and only the first RESULT_SCAN_CHARS characters are looked at.
import type { InstructionMarker } from '../schemas/event.v2.ts';
import { contentOf } from './fingerprints.ts';

const SCAN_CHARS = 256 * 1024;

// Names of an AI model or agent. A bare "agent" or "assistant" is not enough: travel agents,
// support agents and personal assistants are written to every day.
const AGENT = String.raw`(?:ai|llm|large language model|language model|(?:ai|automated|virtual|autonomous)[ -](?:assistant|agent|bot)s?|chatbot|copilot|gpt[\w.-]{0,12}|claude|gemini|llama)`;

const PATTERNS: Record<Exclude<InstructionMarker, 'invisible_text'>, RegExp[]> = {
  override: [
    /\b(?:ignore|disregard|forget|override|discard)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+)?(?:previous|prior|above|earlier|original|preceding|initial|old)\s+(?:instructions?|prompts?|directions?|directives?|rules|tasks?|orders)\b/,
    /\b(?:your|the)\s+(?:previous|prior|original|earlier)\s+(?:instructions?|task|orders)\s+(?:is|are|have been|has been)\s+(?:outdated|obsolete|cancel+ed|void|replaced|superseded|no longer)/,
    /(?:^|[\n.!])\s*(?:new|updated|revised)\s+(?:instructions?|task|orders)\s*:/,
  ],
  addressed_to_agent: [
    new RegExp(String.raw`\b(?:to|for|attention|dear|hey|hello|note for|message for|message to)\s*:?\s+(?:you,?\s+)?(?:the\s+|any\s+|whichever\s+|all\s+|every\s+)?${AGENT}\b`),
    new RegExp(String.raw`\bif\s+you\s+are\s+(?:an?\s+)?${AGENT}\b`),
    new RegExp(String.raw`\binstructions?\s+for\s+(?:the\s+|any\s+|all\s+)?${AGENT}\b`),
    new RegExp(String.raw`\b${AGENT}\s+(?:reading|processing|handling|summari[sz]ing)\s+this\b`),
  ],
  task_hijack: [
    /\bbefore\s+(?:you\s+)?(?:can\s+|may\s+)?(?:solve|complete|answer|continue|proceed|finish|respond|reply|do)\b.{0,60}?\b(?:task|request|question|answer|reply)/,
    /\b(?:after|once)\s+you\s+(?:do|have done|did|complete|have completed|finish)\s+(?:that|this|it)\b.{0,60}?\b(?:task|request|original)/,
    /\b(?:then\s+)?(?:continue|proceed|resume)\s+(?:with\s+)?(?:the|your)\s+original\s+(?:task|request|instructions?)/,
    /\binstead\s+of\s+(?:the|your)\s+(?:original|user'?s?|current)\s+(?:task|request)/,
    /\b(?:do|perform|complete|execute)\s+the\s+following\s+(?:first|immediately|now)\b/,
  ],
  concealment: [
    /\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention|reveal|notify|alert|warn)\b.{0,40}?\b(?:the\s+user|the\s+human|the\s+owner|anyone)\b/,
    /\bwithout\s+(?:telling|informing|notifying|asking|alerting|warning)\s+(?:the\s+)?(?:user|human|owner|recipient)\b/,
    /\b(?:the\s+user|the\s+account\s+owner|the\s+owner)\s+(?:has\s+)?(?:already\s+(?:agreed|approved|consented|authori[sz]ed)|pre-?approved)\b/,
  ],
  fake_tag: [
    /<\s*\/?\s*(?:information|important|system|instructions?|admin|secret|hidden|prompt)\s*>/,
    /\[\s*(?:system|assistant|admin)[-_ ]?(?:directive|message|note|instructions?|override)?\s*\]/,
    /(?:^|\n)\s*#{1,4}\s*(?:system|admin|assistant)\s+(?:update|message|instructions?|notice|override)\b/,
    /<\|(?:im_start|im_end|system|endoftext)\|>/,
  ],
};

// Zero-width and bidi controls (not the joiner U+200D, which emoji sequences use), and Unicode tag
// characters, which render as nothing and carry "ASCII smuggled" text.
const INVISIBLE = /[\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069]|\uDB40[\uDC00-\uDC7F]/g;
/** Invisible characters needed before text counts as hiding something (one stray mark is common in pasted text). */
const INVISIBLE_MIN = 2;

/** The kinds of instruction marker in one text, in INSTRUCTION_MARKERS order. */
export function markersInText(text: string): InstructionMarker[] {
  const t = (text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text).toLowerCase();
  const found: InstructionMarker[] = [];
  for (const [kind, res] of Object.entries(PATTERNS) as [InstructionMarker, RegExp[]][]) {
    if (res.some((re) => re.test(t))) found.push(kind);
  }
  let invisible = 0;
  INVISIBLE.lastIndex = 0;
  while (INVISIBLE.exec(t) !== null && ++invisible < INVISIBLE_MIN);
  if (invisible >= INVISIBLE_MIN) found.push('invisible_text');
  return found;
}

/** The kinds of instruction marker in a result's content (text items, resources, structured content). */
export function instructionMarkers(result: unknown): InstructionMarker[] {
  const texts: string[] = [];
  let chars = 0;
  const collect = (v: unknown, depth: number): void => {
    if (chars >= SCAN_CHARS || depth > 32) return;
    if (typeof v === 'string') {
      texts.push(v);
      chars += v.length;
    } else if (Array.isArray(v)) for (const x of v) collect(x, depth + 1);
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) collect(x, depth + 1);
  };
  for (const part of contentOf(result)) collect(part, 0);
  return texts.length ? markersInText(texts.join('\n')) : [];
}
