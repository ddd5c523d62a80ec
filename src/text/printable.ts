/**
 * Text from someone else's file made safe for a terminal: C0 and C1 control
 * characters (escape sequences that move the cursor, retitle the window or
 * hide text), DEL and the bidirectional overrides become `?`; line breaks
 * and tabs stay.
 */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '?');
}
