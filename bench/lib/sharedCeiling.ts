/**
 * The most a mirror could do on a machine where fetching and writing compete for the same cores:
 * each record costs the time it takes to fetch it (at the fetch ceiling) plus the time to write it
 * (at the write ceiling), so 1 / (1/fetch + 1/write) records/s — below min(fetch, write), which
 * assumes the two run side by side without slowing each other.
 */
export function sharedMachineCeiling(fetchPerSec: number, writePerSec: number): number {
  return 1 / (1 / fetchPerSec + 1 / writePerSec);
}
