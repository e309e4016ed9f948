import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { derToJose, joseToDer } from '../../../functions/core/ecdsa-signature.js'
import { errorOf } from '../../support/errors.js'

const hex = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'))
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** A DER INTEGER (tag, short length, content) from hex content. */
const int = (content: string): string =>
  `02${(content.length / 2).toString(16).padStart(2, '0')}${content}`
/** A DER SEQUENCE around the given hex. */
const seq = (content: string): string =>
  `30${(content.length / 2).toString(16).padStart(2, '0')}${content}`

const R = '11'.repeat(32)
const S = '22'.repeat(32)

describe('Function: derToJose', () => {
  it('converts two 32-byte components', () => {
    // Act
    const jose = derToJose(hex(seq(int(R) + int(S))))

    // Assess
    expect(toHex(jose)).toBe(R + S)
  })

  it('left-pads a short r or s with zeros to 32 bytes', () => {
    // Prepare: r of 31 bytes, s of a single byte.
    const shortR = '7f'.repeat(31)
    const der = hex(seq(int(shortR) + int('05')))

    // Act
    const jose = derToJose(der)

    // Assess
    expect(toHex(jose)).toBe(`00${shortR}${'00'.repeat(31)}05`)
  })

  it('drops the 0x00 sign byte of a component whose high bit is set', () => {
    // Prepare: 33 bytes on the wire, 32 in JOSE.
    const high = `ff${'01'.repeat(31)}`
    const der = hex(seq(int(`00${high}`) + int(`00${high}`)))

    // Act
    const jose = derToJose(der)

    // Assess
    expect(jose.length).toBe(64)
    expect(toHex(jose)).toBe(high + high)
  })

  it('reads the long length form where a larger curve needs it (P-521: 66-byte halves)', () => {
    // Prepare: two 66-byte INTEGERs make a 136-byte body, length 0x81 0x88.
    const half = `01${'ff'.repeat(65)}`
    const body = int(half) + int(half)

    // Act
    const jose = derToJose(hex(`3081${(body.length / 2).toString(16)}${body}`), 66)

    // Assess
    expect(toHex(jose)).toBe(half + half)
    expect(toHex(joseToDer(jose, 66))).toBe(`3081${(body.length / 2).toString(16)}${body}`)
  })

  it.each([
    ['an empty input', ''],
    ['a tag other than SEQUENCE', `31${seq(int(R) + int(S)).slice(2)}`],
    ['a sequence length longer than the input', `3045${int(R)}${int(S)}`],
    ['a sequence length shorter than the input', `3043${int(R)}${int(S)}`],
    ['bytes after the sequence', `${seq(int(R) + int(S))}00`],
    ['a non-minimal long-form length', `3081${(68).toString(16)}${int(R)}${int(S)}`],
    ['an indefinite length', `3080${int(R)}${int(S)}0000`],
    ['a two-byte long-form length', `308200${(68).toString(16)}${int(R)}${int(S)}`],
    ['a component that is not an INTEGER', seq(`04${int(R).slice(2)}${int(S)}`)],
    ['a missing s', seq(int(R))],
    ['a third component', seq(int(R) + int(S) + int('01'))],
    ['a zero-length INTEGER', seq(`0200${int(S)}`)],
    ['a negative r', seq(int(`80${'01'.repeat(31)}`) + int(S))],
    ['a needless leading zero', seq(int(`00${'7f'.repeat(31)}`) + int(S))],
    ['two leading zeros before a high bit', seq(int(`0000${'ff'.repeat(31)}`) + int(S))],
    ['an r of 33 significant bytes', seq(int(`01${'00'.repeat(32)}`) + int(S))],
    ['r = 0', seq(int('00') + int(S))],
    ['s = 0', seq(int(R) + int('00'))],
    ['an INTEGER running past the sequence', `3006020401020304`],
  ])('refuses %s', (_, der) => {
    // Act
    const error = errorOf(() => derToJose(hex(der)))

    // Assess
    expect(error.code).toBe('internal')
  })
})

describe('Function: joseToDer', () => {
  it('encodes minimal INTEGERs, with a sign byte only before a high bit', () => {
    // Prepare
    const jose = hex(`00${'7f'.repeat(31)}${'ff'.repeat(32)}`)

    // Act
    const der = joseToDer(jose)

    // Assess
    expect(toHex(der)).toBe(seq(int('7f'.repeat(31)) + int(`00${'ff'.repeat(32)}`)))
  })

  it.each([
    ['a wrong length', hex('01'.repeat(63))],
    ['r = 0', hex('00'.repeat(32) + S)],
    ['s = 0', hex(R + '00'.repeat(32))],
  ])('refuses %s', (_, jose) => {
    expect(errorOf(() => joseToDer(jose)).code).toBe('internal')
  })
})

describe('DER and JOSE forms against node:crypto', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })

  it('agree for 500 random signatures', () => {
    let highBits = 0

    for (let i = 0; i < 500; i++) {
      const message = Buffer.from(`message ${i}`)

      // Act
      const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' })
      const jose = derToJose(der)

      // Assess
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(
        true,
      )
      expect(toHex(joseToDer(jose))).toBe(toHex(der))
      const p1363 = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' })
      expect(
        verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, joseToDer(p1363)),
      ).toBe(true)
      if ((jose[0] ?? 0) & 0x80 || (jose[32] ?? 0) & 0x80) highBits++
    }
    // Half of all components have the high bit set, so DER pads them with 0x00.
    expect(highBits).toBeGreaterThan(0)
  })

  it('handles a real signature whose r or s is shorter than 32 bytes', () => {
    // Prepare: about one signature in 128 has a leading zero byte; search for one.
    let message = Buffer.alloc(0)
    let der = Buffer.alloc(0)
    for (let i = 0; i < 20_000; i++) {
      message = Buffer.from(`short ${i}`)
      der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' })
      const candidate = derToJose(der)
      if (candidate[0] === 0 || candidate[32] === 0) break
    }

    // Act
    const jose = derToJose(der)

    // Assess
    expect(jose[0] === 0 || jose[32] === 0).toBe(true)
    expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(
      true,
    )
    expect(toHex(joseToDer(jose))).toBe(toHex(der))
  })
})
