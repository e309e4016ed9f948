import { BlockList, isIPv4, isIPv6 } from 'node:net'

/**
 * Which network addresses an outbound fetch of a key set may reach. A JWKS
 * URI comes from configuration (and, with federation, from admins), so a
 * fetcher that followed it anywhere would be a way into the VPC, the
 * instance metadata service or localhost (SSRF). Checked on the resolved
 * address, so a public name that resolves to a private address is refused too.
 */

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/** Not routable on the internet, or not unicast: never a key server. */
const NON_PUBLIC = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6')
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i

/** An IPv4-mapped IPv6 address is judged as the IPv4 address it carries. */
const normalize = (address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined => {
  const mapped = MAPPED_IPV4.exec(address)?.[1]
  if (mapped !== undefined) return { address: mapped, family: 'ipv4' }
  if (isIPv4(address)) return { address, family: 'ipv4' }
  if (isIPv6(address)) return { address, family: 'ipv6' }
  return undefined
}

export const isLoopbackAddress = (address: string): boolean => {
  const ip = normalize(address)
  return ip !== undefined && LOOPBACK.check(ip.address, ip.family)
}

/**
 * Whether a fetch may connect to `address`: a public unicast address, or a
 * loopback one where `allowLoopback` (local mode only, for a development IdP
 * on the same machine).
 *
 * @example
 * isAllowedAddress('169.254.169.254', { allowLoopback: false }) // false
 */
export const isAllowedAddress = (
  address: string,
  options: { readonly allowLoopback: boolean },
): boolean => {
  const ip = normalize(address)
  if (ip === undefined) return false
  if (LOOPBACK.check(ip.address, ip.family)) return options.allowLoopback
  return !NON_PUBLIC.check(ip.address, ip.family)
}
