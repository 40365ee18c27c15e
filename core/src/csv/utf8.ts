/**
 * UTF-8 size of a JS string without encoding it (no TextEncoder allocation per cell). A lone
 * surrogate counts 3 bytes, as encoders replace it with U+FFFD.
 */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Whether `s` is larger than `maxBytes` in UTF-8. Cheap for the common case: a UTF-16 code unit
 * never takes more than 3 UTF-8 bytes, so short strings are decided without a scan.
 */
export function exceedsUtf8Bytes(s: string, maxBytes: number): boolean {
  if (s.length * 3 <= maxBytes) return false;
  if (s.length > maxBytes) return true;
  return utf8ByteLength(s) > maxBytes;
}
