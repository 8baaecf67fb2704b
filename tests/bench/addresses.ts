// Where the bench's phones connect from. Members arrive from many addresses, an office's members
// behind one NAT address, so the deployment's per-address login limit (deploy/nginx, 20 logins a
// second and a burst of 40 per address) sees each office as one client, not the whole bench. Linux
// delivers all of 127.0.0.0/8 to the loopback device, so any of those addresses can be bound
// without setup.

/** Members per address: an office's NAT, below the per-address burst at a 9:00 login. */
export const PHONES_PER_ADDRESS = 30

/** The address taker `i` (in the start order) connects from: 127.0.1.1, 127.0.1.2, … */
export function officeAddress(i: number): string {
  const office = Math.floor(i / PHONES_PER_ADDRESS)
  return `127.0.${1 + Math.floor(office / 250)}.${1 + (office % 250)}`
}
