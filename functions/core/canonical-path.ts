const SLASH = 0x2f
const BACKSLASH = 0x5c
const PERCENT = 0x25
const DOT = 0x2e
const UPPER_A = 0x41
const UPPER_Z = 0x5a
/** Escapes kept encoded are spelled with lower-case hex, as case folding would spell them. */
const HEX = '0123456789abcdef'

/**
 * The one spelling of a request path that route rules are matched against
 * (docs/design.md#route-rules). A client can spell a protected path
 * in many ways that a backend serves as the same resource (Express ignores
 * case and collapses slashes by default), so rules see this form:
 * - percent-encoded unreserved characters (RFC 3986 §2.3) decoded, other
 *   escapes kept;
 * - repeated slashes collapsed, a trailing slash dropped;
 * - ASCII letters folded to lower case, escapes' hex digits included: a rule
 *   then covers more than written, never less.
 *
 * Undefined when the path cannot be made canonical, because a backend may
 * resolve it to another resource than its text names: an encoded `/` or
 * `\` (or a raw `\`, which some servers read as `/`), a `.` or `..` segment
 * (encoded or not), a `%` that starts no valid escape, no leading `/`.
 *
 * The authorizer calls it once per event: a path already canonical (the
 * usual case) comes back as is after one scan, with nothing allocated.
 *
 * @example
 * canonicalPath('//DataSets/%34%32/') // '/datasets/42'
 * canonicalPath('/public/../datasets/42') // undefined
 */
export const canonicalPath = (path: string): string | undefined =>
  isCanonical(path) ? path : rebuild(path)

/** Whether `text[start, end)` is the segment `.` or `..`. */
const isDotSegment = (text: string, start: number, end: number): boolean =>
  (end - start === 1 || end - start === 2) &&
  text.charCodeAt(start) === DOT &&
  text.charCodeAt(end - 1) === DOT

const isCanonical = (path: string): boolean => {
  const length = path.length
  if (path.charCodeAt(0) !== SLASH) return false
  if (length === 1) return true
  if (path.charCodeAt(length - 1) === SLASH) return false
  let segmentStart = 1
  for (let i = 1; i < length; i++) {
    const c = path.charCodeAt(i)
    if (c === SLASH) {
      if (i === segmentStart || isDotSegment(path, segmentStart, i)) return false
      segmentStart = i + 1
    } else if (c === PERCENT || c === BACKSLASH || (c >= UPPER_A && c <= UPPER_Z)) {
      return false
    }
  }
  return !isDotSegment(path, segmentStart, length)
}

const rebuild = (path: string): string | undefined => {
  if (path.charCodeAt(0) !== SLASH) return undefined
  let out = '/'
  let segmentStart = 1
  for (let i = 1; i < path.length; i++) {
    let c = path.charCodeAt(i)
    if (c === SLASH) {
      if (out.length === segmentStart) continue
      if (isDotSegment(out, segmentStart, out.length)) return undefined
      out += '/'
      segmentStart = out.length
      continue
    }
    if (c === BACKSLASH) return undefined
    if (c === PERCENT) {
      const high = hexValue(path.charCodeAt(i + 1))
      const low = hexValue(path.charCodeAt(i + 2))
      if (high < 0 || low < 0) return undefined
      const decoded = high * 16 + low
      if (decoded === SLASH || decoded === BACKSLASH) return undefined
      i += 2
      if (!isUnreserved(decoded)) {
        out += `%${HEX[high]}${HEX[low]}`
        continue
      }
      c = decoded
    }
    out += String.fromCharCode(c >= UPPER_A && c <= UPPER_Z ? c + 0x20 : c)
  }
  if (isDotSegment(out, segmentStart, out.length)) return undefined
  // A trailing slash (never the root's own) is dropped.
  return out.length > 1 && out.length === segmentStart ? out.slice(0, -1) : out
}

/** The value of one hex digit, or -1 (also past the end, where charCodeAt gives NaN). */
const hexValue = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

/** RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
const isUnreserved = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) ||
  (c >= UPPER_A && c <= UPPER_Z) ||
  (c >= 0x30 && c <= 0x39) ||
  c === 0x2d ||
  c === DOT ||
  c === 0x5f ||
  c === 0x7e
